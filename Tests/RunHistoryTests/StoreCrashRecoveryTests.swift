import Foundation
@testable import RunHistory
import Testing
import TestSupport
@testable import ProvisionCore

/// A real process opens the store, begins a run and is killed with SIGKILL;
/// the next user of the store must find the run and mark it interrupted.
@Suite("StateStore after a killed process")
struct StoreCrashRecoveryTests {
    @Test func killedRunIsMarkedInterruptedByTheNextUser() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (helper, run) = try await StoreCrashHelper.start(store: directory.storeURL, cluster: "wrightnow")

        // While the helper lives, its run holds the cluster and is not recovered.
        let store = try StateStore(url: directory.storeURL)
        #expect(try store.recoverAbandonedRuns().isEmpty)
        #expect(throws: StoreError.self) {
            try store.beginRun(StateStoreTests.newRun())
        }
        #expect(try store.run(run)?.outcome == .running)
        #expect(try store.run(run)?.pid == helper.pid)

        helper.signal(SIGKILL)
        #expect(await helper.wait(limit: 30).exitCode == 128 + SIGKILL)

        // What the killed process left behind is honest: still "running".
        #expect(try store.run(run)?.outcome == .running)
        #expect(try store.steps(of: run).map(\.state) == [.succeeded, .running, .pending])

        let recovered = try StateStore(url: directory.storeURL).recoverAbandonedRuns()
        #expect(recovered.map(\.id) == [run])
        let record = try #require(try store.run(run))
        #expect(record.outcome == .interrupted)
        #expect(record.error?.contains("pid \(helper.pid)") == true)
        let steps = try store.steps(of: run)
        #expect(steps.map(\.state) == [.succeeded, .interrupted, .interrupted])
        #expect(steps[1].error?.contains("running") == true)
        #expect(steps[2].error?.contains("pending") == true)

        // Recovery is done once; the cluster is free again.
        #expect(try store.recoverAbandonedRuns().isEmpty)
        let next = try store.beginRun(StateStoreTests.newRun())
        #expect(next > run)
    }

    @Test func beginRunRecoversADeadHolderOnTheSameCluster() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (helper, run) = try await StoreCrashHelper.start(store: directory.storeURL, cluster: "wrightnow")
        helper.signal(SIGKILL)
        _ = await helper.wait(limit: 30)

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
