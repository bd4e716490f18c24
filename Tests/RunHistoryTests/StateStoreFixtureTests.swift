import Foundation
@testable import RunHistory
import Testing
import TestSupport
@testable import ProvisionCore

/// A `state.sqlite` written by provision 0.1.0 (see Tests/Fixtures/state-store/README.md)
/// opens unchanged and reads back exactly what that release stored.
@Suite("StateStore reads a file written by release 0.1.0")
struct StateStoreFixtureTests {
    static let fixture = Repository.file("Tests/Fixtures/state-store/release-0.1.0.sqlite")
    static let fixtureJSON = Repository.file("Tests/Fixtures/state-store/release-0.1.0.json")

    /// The crash helper that left run 4 `running`; it was killed when the fixture was made.
    static let crashedOwner = ProcessIdentity(pid: 24059, startTime: 398676)

    static let t0 = Date(timeIntervalSince1970: 1_780_000_000.25)
    static let t1 = t0 + 3600
    static let t2 = t0 + 7200
    /// Run 4 was stamped by the real clock, so its times have milliseconds that are not exact binary fractions.
    static let t3 = Date(timeIntervalSince1970: 1_796_241_472.884)

    static let runs: [RunRecord] = [
        RunRecord(
            id: RunID(4), commandLine: ["provision", "up", "--backend", "fake"], backend: "fake", cluster: "crashed",
            startedAt: t3, endedAt: nil, outcome: .running, error: nil, toolVersion: "crash-helper",
            manifestsRevision: nil, pid: 24059, processStartTime: 398676),
        RunRecord(
            id: RunID(3), commandLine: ["provision", "down", "--cluster", "elsewhere"], backend: "kind",
            cluster: "elsewhere", startedAt: t2, endedAt: t2 + 2, outcome: .interrupted, error: "interrupted",
            toolVersion: "0.1.0", manifestsRevision: "abc1234", pid: 24052, processStartTime: 398671),
        RunRecord(
            id: RunID(2), commandLine: ["provision", "up"], backend: "kind", cluster: "wrightnow", startedAt: t1,
            endedAt: t1 + 350.5, outcome: .failed,
            error: "deploying `postgres-pgvector` failed: pod postgres-0: CrashLoopBackOff", toolVersion: "0.1.0",
            manifestsRevision: nil, pid: 24052, processStartTime: 398671),
        RunRecord(
            id: RunID(1),
            commandLine: [
                "provision", "up", "--backend", "kind", "--only", "redis db", "--manifests", "./k8s/overlays/local",
                "\"quoted\" ✓",
            ],
            backend: "kind", cluster: "wrightnow", startedAt: t0, endedAt: t0 + 40, outcome: .succeeded, error: nil,
            toolVersion: "0.1.0", manifestsRevision: "abc1234", pid: 24052, processStartTime: 398671),
    ]

    static func step(
        _ id: Int64, run: Int64, _ component: ComponentID?, _ action: StepAction, _ state: StepState,
        startedAt: Date? = nil, endedAt: Date? = nil, duration: Double? = nil, attempt: Int = 1,
        error: String? = nil, note: String? = nil, digest: String? = nil
    ) -> StepRecord {
        StepRecord(
            id: StepID(id), runID: RunID(run), component: component, action: action, state: state,
            startedAt: startedAt, endedAt: endedAt, durationSeconds: duration, attempt: attempt, error: error,
            note: note, digest: digest)
    }

    static let steps: [RunID: [StepRecord]] = [
        RunID(1): [
            step(
                1, run: 1, nil, .preflight, .succeeded, startedAt: t0, endedAt: t0 + 1.5, duration: 1.5,
                note: "docker 27.1 is older than tested 28.0"),
            step(
                2, run: 1, nil, .createCluster, .succeeded, startedAt: t0 + 1.5, endedAt: t0 + 31.125,
                duration: 29.625, note: "created"),
            step(
                3, run: 1, "redis", .deploy, .succeeded, startedAt: t0 + 31.125, endedAt: t0 + 40, duration: 8.875,
                note: "applied 3 objects", digest: "sha256:0a1b2c"),
        ],
        RunID(2): [
            step(
                4, run: 2, "postgres-pgvector", .deploy, .failed, startedAt: t1 + 301, endedAt: t1 + 350.5,
                duration: 49.5, attempt: 2, error: "pod postgres-0: CrashLoopBackOff", digest: "sha256:d00d"),
            step(
                5, run: 2, "authentik", .deploy, .skipped, endedAt: t1 + 350.5,
                error: "not started because `postgres-pgvector` did not succeed"),
        ],
        RunID(3): [
            step(
                6, run: 3, nil, .deleteCluster, .interrupted, startedAt: t2, endedAt: t2 + 2, duration: 2,
                error: "interrupted (SIGINT)")
        ],
        RunID(4): [
            step(7, run: 4, nil, .preflight, .succeeded, endedAt: t3 + 0.004),
            step(8, run: 4, "postgres-pgvector", .deploy, .running, startedAt: t3 + 0.005),
            step(9, run: 4, "authentik", .deploy, .pending),
        ],
    ]

    /// A copy of the fixture in a fresh directory: opening it may add WAL files next to it.
    static func copyOfFixture() throws -> (TemporaryDirectory, URL) {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(at: fixture, to: directory.storeURL)
        return (directory, directory.storeURL)
    }

    /// Dates are stored with millisecond precision; the real-clock ones of run 4 are compared to the millisecond.
    static func normalised<T>(_ value: T, dates: WritableKeyPath<T, Date?>...) -> T {
        var value = value
        for path in dates {
            value[keyPath: path] = value[keyPath: path].map { Date(timeIntervalSince1970: ($0.timeIntervalSince1970 * 1000).rounded() / 1000) }
        }
        return value
    }

    static func normalised(_ run: RunRecord) -> RunRecord {
        var run = normalised(run, dates: \.endedAt)
        run.startedAt = Date(timeIntervalSince1970: (run.startedAt.timeIntervalSince1970 * 1000).rounded() / 1000)
        return run
    }

    static func normalised(_ step: StepRecord) -> StepRecord { normalised(step, dates: \.startedAt, \.endedAt) }

    @Test func everyRunAndStepReadsBackExactly() throws {
        let (directory, url) = try Self.copyOfFixture()
        defer { directory.remove() }
        let store = try StateStore(url: url)

        #expect(try store.appliedMigrations() == StateStoreTests.migrations)
        let runs = try store.runs()
        #expect(runs.map(\.id) == Self.runs.map(\.id))
        for (read, expected) in zip(runs, Self.runs) {
            #expect(Self.normalised(read) == Self.normalised(expected))
            #expect(try store.run(expected.id).map(Self.normalised) == Self.normalised(expected))
            let steps = try store.steps(of: expected.id)
            #expect(steps.map(Self.normalised) == Self.steps[expected.id]?.map(Self.normalised))
        }
        // Runs 1-3 carry exact binary fractions of a second: equal without rounding.
        #expect(Array(runs.dropFirst()) == Array(Self.runs.dropFirst()))
        #expect(try store.steps(of: RunID(2)) == Self.steps[RunID(2)])

        #expect(try store.runs(outcome: .failed).map(\.id) == [RunID(2)])
        #expect(try store.runs(component: "postgres-pgvector").map(\.id) == [RunID(4), RunID(2)])
        #expect(try store.runs(limit: 1, outcome: .succeeded, component: "redis").map(\.id) == [RunID(1)])
    }

    @Test func historyJSONIsWhatRelease010Printed() throws {
        let (directory, url) = try Self.copyOfFixture()
        defer { directory.remove() }
        let store = try StateStore(url: url)
        struct Dump: Encodable {
            var runs: [RunRecord]
            var steps: [StepRecord]
        }
        let runs = try store.runs()
        let dump = Dump(runs: runs, steps: try runs.reversed().flatMap { try store.steps(of: $0.id) })
        // The encoder `provision history --json` uses.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(dump), as: UTF8.self)
        #expect(json == (try String(contentsOf: Self.fixtureJSON, encoding: .utf8)))
    }

    @Test(.enabled(if: !crashedOwner.isAlive, "the pid of the fixture's crashed run belongs to a live process here"))
    func theCrashedRunIsRecoveredAndTheFileTakesNewRuns() throws {
        let (directory, url) = try Self.copyOfFixture()
        defer { directory.remove() }
        let store = try StateStore(url: url)

        let recovered = try store.recoverAbandonedRuns()
        #expect(recovered.map(\.id) == [RunID(4)])
        let run = try #require(try store.run(RunID(4)))
        #expect(recovered.first == run)
        #expect(run.outcome == .interrupted)
        #expect(run.error?.hasPrefix("the provision process (pid 24059) ended without finishing this run") == true)
        let steps = try store.steps(of: RunID(4))
        #expect(steps.map(\.state) == [.succeeded, .interrupted, .interrupted])
        #expect(steps.map(\.error) == [
            nil, "the provision process ended while this step was running",
            "the provision process ended while this step was pending",
        ])
        // The other runs are untouched.
        #expect(Array(try store.runs().dropFirst()) == Array(Self.runs.dropFirst()))

        let started = Date(timeIntervalSince1970: 1_800_000_000)
        let next = try store.beginRun(
            NewRun(
                commandLine: Self.runs[3].commandLine, backend: "kind", cluster: "crashed", toolVersion: "0.2.0",
                manifestsRevision: nil),
            at: started)
        #expect(next == RunID(5))
        let step = try store.addStep(run: next, component: "redis", action: .deploy, state: .running, at: started)
        #expect(step == StepID(10))
        try store.markStep(step, .succeeded, digest: "sha256:beef", at: started + 1)
        try store.finishRun(next, outcome: .succeeded, at: started + 1)

        let reopened = try StateStore(url: url)
        #expect(try reopened.appliedMigrations() == StateStoreTests.migrations)
        let stored = try #require(try reopened.run(next))
        #expect(stored.commandLine == Self.runs[3].commandLine)
        #expect(stored.outcome == .succeeded)
        #expect(try reopened.steps(of: next).map(\.durationSeconds) == [1])
    }
}
