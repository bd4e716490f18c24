import Foundation
import GRDB
@testable import RunHistory
import TestSupport
import Testing
@testable import ProvisionCore

@Suite("StateStore")
struct StateStoreTests {
    /// Every migration this release registers, oldest first. Append-only: a release adds to
    /// the end and never edits or reorders what is here.
    static let migrations = [
        "v1: runs and steps", "v2: run targets", "v3: what was applied, by whom", "v4: object lists kept with their manifest",
        "v5: steps that work on something other than a component",
    ]

    @Test func migrationsAreAppendOnly() {
        #expect(StateStore.migrator.migrations == Self.migrations)
    }

    static func newRun(cluster: String = "wrightnow", command: [String] = ["provision", "up", "--backend", "kind"]) -> NewRun {
        NewRun(commandLine: command, backend: "kind", cluster: cluster, toolVersion: "0.1.0", manifestsRevision: "abc1234")
    }

    /// A store on a fresh in-memory database, for tests that do not test the file.
    static func inMemoryStore() throws -> StateStore {
        try StateStore(writer: DatabaseQueue())
    }

    @Test func defaultLocationHonoursOverridesInOrder() {
        #expect(
            StateStore.defaultLocation(environment: ["PROVISION_STATE_DIR": "/srv/p", "XDG_STATE_HOME": "/x", "HOME": "/h"]).path
                == "/srv/p/state.sqlite")
        #expect(
            StateStore.defaultLocation(environment: ["XDG_STATE_HOME": "/x", "HOME": "/h"]).path
                == "/x/provision/state.sqlite")
        #expect(StateStore.defaultLocation(environment: ["HOME": "/h"]).path == "/h/.local/state/provision/state.sqlite")
        #expect(
            StateStore.defaultLocation(environment: ["PROVISION_STATE_DIR": "", "HOME": "/h"]).path
                == "/h/.local/state/provision/state.sqlite")
    }

    @Test func migratesAnEmptyDirectoryAndReopens() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nested = directory.url.appending(path: "a/b/state.sqlite")
        let store = try StateStore(url: nested)
        #expect(FileManager.default.fileExists(atPath: nested.path))
        #expect(try store.appliedMigrations() == StateStoreTests.migrations)
        #expect(try store.runs().isEmpty)
        // Opening again applies nothing new and keeps data.
        let run = try store.beginRun(Self.newRun())
        try store.finishRun(run, outcome: .succeeded)
        let reopened = try StateStore(url: nested)
        #expect(try reopened.appliedMigrations() == StateStoreTests.migrations)
        #expect(try reopened.run(run)?.outcome == .succeeded)
    }

    @Test func recordsARunWithEverythingHistoryShows() throws {
        let store = try Self.inMemoryStore()
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        let run = try store.beginRun(Self.newRun(command: ["provision", "up", "--only", "redis db"]), at: started)
        let record = try #require(try store.run(run))
        #expect(record.commandLine == ["provision", "up", "--only", "redis db"])
        #expect(record.backend == "kind")
        #expect(record.cluster == "wrightnow")
        #expect(record.startedAt == started)
        #expect(record.endedAt == nil)
        #expect(record.outcome == .running)
        #expect(record.toolVersion == "0.1.0")
        #expect(record.manifestsRevision == "abc1234")
        #expect(record.pid == getpid())
        #expect(record.processStartTime == ProcessIdentity.current.startTime)

        try store.finishRun(run, outcome: .failed, error: "deploying `redis` failed", at: started + 90)
        let finished = try #require(try store.run(run))
        #expect(finished.outcome == .failed)
        #expect(finished.error == "deploying `redis` failed")
        #expect(finished.endedAt == started + 90)
        #expect(finished.duration == .seconds(90))
    }

    @Test func everyStepTransitionIsStored() throws {
        let store = try Self.inMemoryStore()
        let run = try store.beginRun(Self.newRun())
        func stored(_ id: StepID) throws -> StepRecord {
            try #require(try store.steps(of: run).first { $0.id == id })
        }
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)

        let deploy = try store.addStep(run: run, component: "redis", action: .deploy)
        var step = try stored(deploy)
        #expect(step.state == .pending)
        #expect(step.component == "redis")
        #expect(step.action == .deploy)
        #expect(step.attempt == 1)
        #expect(step.startedAt == nil)

        try store.markStep(deploy, .running, at: t0)
        step = try stored(deploy)
        #expect(step.state == .running)
        #expect(step.startedAt == t0)
        #expect(step.attempt == 1)

        try store.updateStep(deploy, note: "applied 3 objects", digest: "sha256:feed")
        step = try stored(deploy)
        #expect(step.state == .running)
        #expect(step.note == "applied 3 objects")
        #expect(step.digest == "sha256:feed")

        try store.markStep(deploy, .failed, error: "rollout timed out", at: t0 + 2.5)
        step = try stored(deploy)
        #expect(step.state == .failed)
        #expect(step.endedAt == t0 + 2.5)
        #expect(step.durationSeconds == 2.5)
        #expect(step.error == "rollout timed out")
        #expect(step.digest == "sha256:feed")

        // Started again: a new attempt with a fresh start.
        try store.markStep(deploy, .running, at: t0 + 10)
        try store.markStep(deploy, .succeeded, at: t0 + 11)
        step = try stored(deploy)
        #expect(step.state == .succeeded)
        #expect(step.attempt == 2)
        #expect(step.startedAt == t0 + 10)
        #expect(step.durationSeconds == 1)

        let skipped = try store.addStep(run: run, component: "authentik", action: .deploy)
        try store.markStep(skipped, .skipped, error: "not started because `redis` did not succeed")
        step = try stored(skipped)
        #expect(step.state == .skipped)
        #expect(step.startedAt == nil)
        #expect(step.durationSeconds == nil)

        let interrupted = try store.addStep(run: run, component: nil, action: .createCluster, state: .running)
        try store.markStep(interrupted, .interrupted, error: "interrupted")
        step = try stored(interrupted)
        #expect(step.state == .interrupted)
        #expect(step.component == nil)
        #expect(step.startedAt != nil)
        #expect(step.label == "create-cluster")

        #expect(try store.steps(of: run).map(\.id) == [deploy, skipped, interrupted])
        #expect(throws: StoreError.self) { try store.markStep(StepID(9999), .running) }
    }

    @Test func everyChangeIsOnDiskImmediately() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        #expect(store.url == directory.storeURL)
        #expect(store.path == directory.storeURL.path)
        // A second connection reads what the first wrote, after every change.
        func stored() throws -> (RunRecord?, [StepRecord]) {
            let other = try StateStore(url: directory.storeURL)
            let run = try other.runs().first
            return (run, try run.map { try other.steps(of: $0.id) } ?? [])
        }
        let run = try store.beginRun(Self.newRun())
        #expect(try stored().0?.outcome == .running)
        let step = try store.addStep(run: run, component: "redis", action: .deploy)
        #expect(try stored().1.map(\.state) == [.pending])
        try store.markStep(step, .running)
        #expect(try stored().1.map(\.state) == [.running])
        try store.updateStep(step, note: "applied 3 objects")
        #expect(try stored().1.map(\.note) == ["applied 3 objects"])
        try store.markStep(step, .succeeded, digest: "sha256:feed")
        #expect(try stored().1.map(\.digest) == ["sha256:feed"])
        try store.finishRun(run, outcome: .succeeded)
        #expect(try stored().0?.outcome == .succeeded)
    }

    /// Two connections (as two `provision` processes would have) write one file at once.
    /// Every write reads first; none may fail because the other committed in between.
    @Test func twoConnectionsWritingTheSameFileAtOnceBothSucceed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.storeURL
        _ = try StateStore(url: url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for cluster in ["one", "two"] {
                group.addTask {
                    let store = try StateStore(url: url)
                    for _ in 0..<40 {
                        let run = try store.beginRun(Self.newRun(cluster: cluster))
                        let step = try store.addStep(run: run, component: "redis", action: .deploy)
                        try store.markStep(step, .running)
                        try store.updateStep(step, note: "applied")
                        try store.markStep(step, .succeeded)
                        try store.finishRun(run, outcome: .succeeded)
                    }
                }
            }
            try await group.waitForAll()
        }
        let store = try StateStore(url: url)
        #expect(try store.runs(outcome: .succeeded).count == 80)
        #expect(try store.runs().allSatisfy { try store.steps(of: $0.id).map(\.note) == ["applied"] })
    }

    @Test func secondRunOnABusyClusterIsRefusedWithAHelpfulMessage() throws {
        let store = try Self.inMemoryStore()
        let first = try store.beginRun(Self.newRun(command: ["provision", "up"]))

        let error = try #require(throws: StoreError.self) {
            try store.beginRun(Self.newRun(command: ["provision", "down"]))
        }
        guard case .clusterBusy(let cluster, let holder) = error else {
            Issue.record("expected clusterBusy, got \(error)")
            return
        }
        #expect(cluster == "wrightnow")
        #expect(holder.id == first)
        let message = String(describing: error)
        #expect(message.contains("run \(first)"))
        #expect(message.contains("pid \(getpid())"))
        #expect(message.contains("provision up"))
        #expect(message.contains("fix:"))
        // Only the first run exists.
        #expect(try store.runs().map(\.id) == [first])

        // Another cluster is fine; the same one is free again once the first run ends.
        let other = try store.beginRun(Self.newRun(cluster: "elsewhere"))
        try store.finishRun(other, outcome: .succeeded)
        try store.finishRun(first, outcome: .succeeded)
        _ = try store.beginRun(Self.newRun())
    }

    @Test func historyQueriesFilterAndListNewestFirst() throws {
        let store = try Self.inMemoryStore()
        var runs: [RunID] = []
        for (index, outcome) in [RunOutcome.succeeded, .failed, .succeeded, .interrupted, .succeeded].enumerated() {
            let run = try store.beginRun(Self.newRun())
            try store.addStep(run: run, component: nil, action: .preflight, state: .succeeded)
            if index % 2 == 0 { try store.addStep(run: run, component: "redis", action: .deploy) }
            try store.markStep(try store.addStep(run: run, component: "authentik", action: .deploy), .skipped)
            for step in try store.steps(of: run) where !step.state.isFinal { try store.markStep(step.id, .succeeded) }
            try store.finishRun(run, outcome: outcome)
            runs.append(run)
        }
        #expect(try store.runs().map(\.id) == runs.reversed())
        #expect(try store.runs(limit: 2).map(\.id) == [runs[4], runs[3]])
        #expect(try store.runs(outcome: .succeeded).map(\.id) == [runs[4], runs[2], runs[0]])
        #expect(try store.runs(outcome: .succeeded, component: "redis").map(\.id) == [runs[4], runs[2], runs[0]])
        #expect(try store.runs(limit: 1, component: "redis").map(\.id) == [runs[4]])
        #expect(try store.runs(outcome: .failed, component: "redis").isEmpty)
        #expect(try store.runs(component: "nothing").isEmpty)
        #expect(try store.run(RunID(999)) == nil)

        // Records encode to JSON for `history --json`.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = try JSONSerialization.jsonObject(with: encoder.encode(store.runs(limit: 1))) as? [[String: Any]]
        #expect(json?.first?["outcome"] as? String == "succeeded")
        #expect(json?.first?["id"] as? Int == Int(runs[4].rawValue))
        let steps = try JSONSerialization.jsonObject(with: encoder.encode(store.steps(of: runs[0]))) as? [[String: Any]]
        #expect(steps?.map { $0["action"] as? String } == ["preflight", "deploy", "deploy"])
    }

    @Test func corruptFileIsReportedNotReset() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: directory.storeURL)
        let error = try #require(throws: StoreError.self) { try StateStore(url: directory.storeURL) }
        guard case .unreadable(let path, _) = error else {
            Issue.record("expected unreadable, got \(error)")
            return
        }
        #expect(path == directory.storeURL.path)
        let message = String(describing: error)
        #expect(message.contains(directory.storeURL.path))
        #expect(message.contains("fix:"))
        // The file is left exactly as it was.
        #expect(try Data(contentsOf: directory.storeURL) == garbage)
    }

    @Test func truncatedDatabaseIsReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            // Closing the last connection checkpoints the WAL into the main file.
            let store = try StateStore(url: directory.storeURL)
            for _ in 0..<50 {
                let run = try store.beginRun(Self.newRun())
                try store.addStep(run: run, component: "redis", action: .deploy, state: .succeeded)
                try store.finishRun(run, outcome: .succeeded)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.storeURL.path + "-wal"))
        // Keep the valid header page, overwrite the rest with garbage.
        var bytes = try Data(contentsOf: directory.storeURL)
        #expect(bytes.count > 8192)
        for index in 4096..<bytes.count { bytes[index] = 0xA5 }
        try bytes.write(to: directory.storeURL)
        let error = try #require(throws: StoreError.self) {
            let damaged = try StateStore(url: directory.storeURL)
            _ = try damaged.runs()
        }
        #expect(String(describing: error).contains(directory.storeURL.path))
        if case .unreadable = error {} else { Issue.record("expected unreadable, got \(error)") }
    }

    @Test func directoryThatCannotBeCreatedIsReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let blocker = directory.url.appending(path: "not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let error = try #require(throws: StoreError.self) {
            try StateStore(url: blocker.appending(path: "state.sqlite"))
        }
        guard case .cannotOpen(let path, _) = error else {
            Issue.record("expected cannotOpen, got \(error)")
            return
        }
        #expect(path.hasSuffix("not-a-directory/state.sqlite"))
    }
}
