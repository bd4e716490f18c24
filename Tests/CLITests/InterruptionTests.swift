import Foundation
import ProvisionCore
import Testing
import TestSupport

/// Two runs at once, and runs stopped by signals.
@Suite("concurrent runs and signals")
struct InterruptionTests {
    @Test("a second up on the same cluster is refused with exit 4 while the first one runs")
    func concurrentUpRefused() async throws {
        let world = try FakeWorld(environment: [
            "FAKE_BLOCK": "*rollout status deployment/redis *",
            "FAKE_BLOCK_UNTIL": "",
        ])
        world.environment["FAKE_BLOCK_UNTIL"] = world.releaseFile.path
        let first = try world.start(["up", "--only", "redis"])
        try await world.waitUntilBlocked(first)

        let second = try await world.provision("up", "--only", "redis")
        #expect(second.exitCode == 4, "\(second)")
        #expect(second.standardError.contains("cluster `wrightnow` is busy"))
        #expect(second.standardError.contains("pid \(first.pid)"))
        #expect(second.standardError.contains("fix: wait for it to finish"))

        world.release()
        let firstResult = await first.wait()
        #expect(firstResult.exitCode == 0, "\(firstResult)")
        let runs = try await world.historyRuns()
        #expect(runs.count == 1, "the refused run is not recorded as a run: \(runs)")
        #expect(runs.first?.outcome == .succeeded)
        #expect(world.calls(containing: "kind create cluster").count == 1)
    }

    @Test("SIGINT during a long step: exit 130, the step and the run are recorded as interrupted",
          arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func signalDuringStep(signal: Int32, expectedExit: Int32) async throws {
        let world = try FakeWorld(environment: ["FAKE_BLOCK": "*rollout status statefulset/postgres *"])
        let running = try world.start(["up", "--only", "postgres-pgvector,redis", "--concurrency", "1"])
        try await world.waitUntilBlocked(running)
        running.signal(signal)
        let result = await running.wait(limit: 120)
        #expect(result.exitCode == expectedExit, "\(result)")
        #expect(result.standardError.contains("received: stopping"))
        #expect(result.standardError.contains("provision up was interrupted"))
        #expect(result.standardError.contains("provision history"))

        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .interrupted)
        let states = Dictionary(uniqueKeysWithValues: recorded.steps.map { ($0.label, $0.state) })
        #expect(states["deploy postgres-pgvector"] == .interrupted, "\(recorded.steps)")
        #expect(states["deploy namespaces"] == .succeeded)
        // With one step at a time, redis had not started: skipped, never applied.
        #expect(states["deploy redis"] == .skipped)
        #expect(!world.events.contains { $0.contains("redis") }, "\(world.events)")
        // The cluster is free again for the next run.
        let next = try await world.provision("up", "--only", "namespaces")
        #expect(next.exitCode == 0, "\(next)")
    }
}
