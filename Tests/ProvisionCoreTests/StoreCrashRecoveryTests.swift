import Foundation
import Testing
@testable import ProvisionCore

/// A real process opens the store, begins a run and is killed with SIGKILL;
/// the next user of the store must find the run and mark it interrupted.
@Suite("StateStore after a killed process")
struct StoreCrashRecoveryTests {
    /// `provision-bench` is built next to the test bundle; its hidden `--crash-helper`
    /// mode plays a `provision up` that never finishes.
    static func helperExecutable() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["PROVISION_BENCH_PATH"] {
            return URL(fileURLWithPath: override)
        }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On macOS the test binary sits inside a .xctest bundle.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS"
            || directory.lastPathComponent == "Contents"
        {
            directory.deleteLastPathComponent()
        }
        let helper = directory.appending(path: "provision-bench")
        guard FileManager.default.isExecutableFile(atPath: helper.path) else {
            throw DeployError(
                problem: "the crash helper \(helper.path) is missing",
                fix: "build it first (`swift build --product provision-bench`) or set PROVISION_BENCH_PATH")
        }
        return helper
    }

    /// Starts the helper and waits until it reports the run id.
    static func startHelper(store: URL, cluster: String) throws -> (Process, RunID) {
        let process = Process()
        process.executableURL = try helperExecutable()
        process.arguments = ["--crash-helper", store.path, cluster]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard text.hasPrefix("ready "), let id = Int64(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw DeployError(problem: "crash helper did not start: \(text)", fix: "run it by hand to see why")
        }
        return (process, RunID(id))
    }

    @Test func killedRunIsMarkedInterruptedByTheNextUser() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (helper, run) = try Self.startHelper(store: directory.storeURL, cluster: "wrightnow")

        // While the helper lives, its run holds the cluster and is not recovered.
        let store = try StateStore(url: directory.storeURL)
        #expect(try store.recoverAbandonedRuns().isEmpty)
        #expect(throws: StoreError.self) {
            try store.beginRun(StateStoreTests.newRun())
        }
        #expect(try store.run(run)?.outcome == .running)
        #expect(try store.run(run)?.pid == helper.processIdentifier)

        kill(helper.processIdentifier, SIGKILL)
        helper.waitUntilExit()
        #expect(helper.terminationReason == .uncaughtSignal)

        // What the killed process left behind is honest: still "running".
        #expect(try store.run(run)?.outcome == .running)
        #expect(try store.steps(of: run).map(\.state) == [.succeeded, .running, .pending])

        let recovered = try StateStore(url: directory.storeURL).recoverAbandonedRuns()
        #expect(recovered.map(\.id) == [run])
        let record = try #require(try store.run(run))
        #expect(record.outcome == .interrupted)
        #expect(record.error?.contains("pid \(helper.processIdentifier)") == true)
        let steps = try store.steps(of: run)
        #expect(steps.map(\.state) == [.succeeded, .interrupted, .interrupted])
        #expect(steps[1].error?.contains("running") == true)
        #expect(steps[2].error?.contains("pending") == true)

        // Recovery is done once; the cluster is free again.
        #expect(try store.recoverAbandonedRuns().isEmpty)
        let next = try store.beginRun(StateStoreTests.newRun())
        #expect(next > run)
    }

    @Test func beginRunRecoversADeadHolderOnTheSameCluster() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (helper, run) = try Self.startHelper(store: directory.storeURL, cluster: "wrightnow")
        kill(helper.processIdentifier, SIGKILL)
        helper.waitUntilExit()

        // No explicit recovery call: beginRun itself must not be blocked by a dead process.
        let store = try StateStore(url: directory.storeURL)
        let next = try store.beginRun(StateStoreTests.newRun())
        #expect(try store.run(run)?.outcome == .interrupted)
        #expect(try store.run(next)?.outcome == .running)
    }

    @Test func pidReuseIsDetectedThroughTheProcessStartTime() throws {
        let me = ProcessIdentity.current
        #expect(me.isAlive)
        #if os(Linux)
        #expect(me.startTime != nil)
        // Same pid, different start time: a different process that reused the pid.
        #expect(!ProcessIdentity(pid: me.pid, startTime: me.startTime! + 1).isAlive)
        #endif
        #expect(!ProcessIdentity(pid: 0, startTime: nil).isAlive)
    }
}
