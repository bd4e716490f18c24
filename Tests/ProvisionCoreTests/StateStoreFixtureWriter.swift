import Foundation
import Testing
import TestSupport
@testable import ProvisionCore

/// Writes `Tests/Fixtures/state-store/<name>.sqlite` (plus the `history --json` of its runs)
/// through the public store API. Only runs when `PROVISION_WRITE_STATE_FIXTURE` names the
/// output directory: a fixture is made once per release and then never rewritten, so that
/// `StateStoreFixtureTests` keeps proving that files made by that release still open.
@Suite("StateStore fixture writer")
struct StateStoreFixtureWriter {
    static let output = ProcessInfo.processInfo.environment["PROVISION_WRITE_STATE_FIXTURE"]

    @Test(.enabled(if: output != nil, "set PROVISION_WRITE_STATE_FIXTURE to write a fixture"))
    func write() async throws {
        let directory = URL(fileURLWithPath: try #require(Self.output), isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appending(path: "state.sqlite")
        try #require(!FileManager.default.fileExists(atPath: url.path), "refusing to overwrite \(url.path)")
        let t0 = Date(timeIntervalSince1970: 1_780_000_000.25)

        do {
            let store = try StateStore(url: url)
            // 1: succeeded; arguments with spaces, quotes, slashes and non-ASCII.
            let first = try store.beginRun(
                NewRun(
                    commandLine: ["provision", "up", "--backend", "kind", "--only", "redis db", "--manifests", "./k8s/overlays/local", "\"quoted\" ✓"],
                    backend: "kind", cluster: "wrightnow", toolVersion: "0.1.0", manifestsRevision: "abc1234"),
                at: t0)
            try store.addStep(run: first, component: nil, action: .preflight, state: .running, at: t0)
            let preflight = try store.steps(of: first)[0].id
            try store.markStep(preflight, .succeeded, note: "docker 27.1 is older than tested 28.0", at: t0 + 1.5)
            let cluster = try store.addStep(run: first, component: nil, action: .createCluster, state: .running, at: t0 + 1.5)
            try store.markStep(cluster, .succeeded, note: "created", at: t0 + 31.125)
            let redis = try store.addStep(run: first, component: "redis", action: .deploy)
            try store.markStep(redis, .running, at: t0 + 31.125)
            try store.updateStep(redis, note: "applied 3 objects", digest: "sha256:0a1b2c")
            try store.markStep(redis, .succeeded, at: t0 + 40)
            try store.finishRun(first, outcome: .succeeded, at: t0 + 40)

            // 2: failed with an error; a retried step (attempt 2), a skipped one.
            let t1 = t0 + 3600
            let second = try store.beginRun(
                NewRun(
                    commandLine: ["provision", "up"], backend: "kind", cluster: "wrightnow", toolVersion: "0.1.0",
                    manifestsRevision: nil),
                at: t1)
            let postgres = try store.addStep(run: second, component: "postgres-pgvector", action: .deploy)
            try store.markStep(postgres, .running, at: t1)
            try store.markStep(postgres, .failed, error: "rollout timed out after 300s", digest: "sha256:d00d", at: t1 + 300)
            try store.markStep(postgres, .running, at: t1 + 301)
            try store.markStep(postgres, .failed, error: "pod postgres-0: CrashLoopBackOff", at: t1 + 350.5)
            let authentik = try store.addStep(run: second, component: "authentik", action: .deploy)
            try store.markStep(
                authentik, .skipped, error: "not started because `postgres-pgvector` did not succeed", at: t1 + 350.5)
            try store.finishRun(
                second, outcome: .failed, error: "deploying `postgres-pgvector` failed: pod postgres-0: CrashLoopBackOff",
                at: t1 + 350.5)

            // 3: another cluster, interrupted by the user.
            let t2 = t0 + 7200
            let third = try store.beginRun(
                NewRun(
                    commandLine: ["provision", "down", "--cluster", "elsewhere"], backend: "kind", cluster: "elsewhere",
                    toolVersion: "0.1.0", manifestsRevision: "abc1234"),
                at: t2)
            let delete = try store.addStep(run: third, component: nil, action: .deleteCluster, state: .running, at: t2)
            try store.markStep(delete, .interrupted, error: "interrupted (SIGINT)", at: t2 + 2)
            try store.finishRun(third, outcome: .interrupted, error: "interrupted", at: t2 + 2)
        }

        // 4: left `running` by a process killed with SIGKILL, as a crashed `provision up` leaves it.
        let (helper, _) = try await StoreCrashRecoveryTests.startHelper(store: url, cluster: "crashed")
        helper.signal(SIGKILL)
        _ = await helper.wait(limit: 30)

        // Opening and closing the last connection checkpoints the WAL into the main file.
        do {
            let store = try StateStore(url: url)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            struct Dump: Encodable {
                var runs: [RunRecord]
                var steps: [StepRecord]
            }
            let runs = try store.runs()
            let dump = Dump(runs: runs, steps: try runs.reversed().flatMap { try store.steps(of: $0.id) })
            try encoder.encode(dump).write(to: directory.appending(path: "state.json"))
        }
        #expect(!FileManager.default.fileExists(atPath: url.path + "-wal"))
    }
}
