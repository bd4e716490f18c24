import Foundation
import RunHistory
import Testing
import TestSupport
@testable import ProvisionCore

/// A provider with image caches: they start before the cluster is made, each image its objects
/// name is pulled through them while the cluster is made (a `pull` step each), a failed pull is
/// a warning, a reused cluster warms nothing up, and `down` keeps them unless asked.
@Suite("Deployer with image caches")
struct ImageCacheRunTests {
    let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: URL(fileURLWithPath: "/repo/k8s"), overlay: "local")
    let invocation = RunInvocation(commandLine: ["provision", "up"], toolVersion: "0.1.0")
    let plan = try! Plan(components: [TestComponent("db"), TestComponent("app", dependsOn: ["db"])])
    static let images: [ComponentID: [String]] = [
        "db": ["docker.io/library/postgres:15", "quay.io/x/y:1"],
        "app": ["ghcr.io/team/app:2", "docker.io/library/postgres:15"],
    ]

    func run(
        _ script: FakeBackend.Script, events: Recorder<[ProgressEvent]> = Recorder([]),
        _ body: (Deployer, StateStore, FakeBackend) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(script)
        let deployer = Deployer(provider: backend, deployment: backend, store: store) { event in
            events.update { $0.append(event) }
        }
        try await body(deployer, store, backend)
    }

    @Test("pulls overlap cluster creation, one recorded step per image a cache serves, each image once")
    func warmUpOverlapsCreation() async throws {
        var script = FakeBackend.Script(images: Self.images, caches: .init(pullWaitsForCreate: true))
        script.createWaitsForAPull = true
        try await run(script) { deployer, store, backend in
            let report = try await deployer.up(cluster: cluster, plan: plan, invocation: invocation)
            #expect(report.succeeded, "\(String(describing: report.problem))")
            let steps = try store.steps(of: report.runID)
            #expect(steps.map(\.label) == [
                "preflight", "start-caches", "create-cluster", "deploy db", "deploy app",
                "pull docker.io/library/postgres:15", "pull ghcr.io/team/app:2",
            ])
            #expect(steps.allSatisfy { $0.state == .succeeded })
            let pulls = steps.filter { $0.action == .pull }
            #expect(pulls.map(\.subject) == ["docker.io/library/postgres:15", "ghcr.io/team/app:2"])
            #expect(pulls.allSatisfy { $0.component == nil && $0.note == "cached" })
            // The caches start after preflight, for the three images, before the cluster is made.
            let calls = backend.calls.value
            #expect(calls.first == "preflight creating=true")
            let start = try #require(calls.firstIndex(of: "start caches for 3 images"))
            #expect(start < (calls.firstIndex(of: "ensureCluster wrightnow") ?? -1))
            // Overlap, as the history records it: a pull started before the cluster was made.
            let create = try #require(steps.first { $0.action == .createCluster })
            #expect(pulls.contains { $0.startedAt! < create.endedAt! && $0.endedAt! > create.startedAt! })
        }
    }

    @Test("a failed warm-up pull is a warning: the step failed, the run succeeded")
    func failedPullIsAWarning() async throws {
        let events = Recorder<[ProgressEvent]>([])
        let script = FakeBackend.Script(images: Self.images, caches: .init(failPull: ["ghcr.io/team/app:2"]))
        try await run(script, events: events) { deployer, store, _ in
            let report = try await deployer.up(cluster: cluster, plan: plan, invocation: invocation)
            #expect(report.succeeded)
            let failed = try #require(try store.steps(of: report.runID).first { $0.subject == "ghcr.io/team/app:2" })
            #expect(failed.state == .failed)
            #expect(failed.error?.hasPrefix("warning, the run goes on:") == true)
            #expect(failed.error?.contains("manifest unknown") == true)
            let warnings = events.value.compactMap { if case .warning(let warning) = $0 { warning } else { nil } }
            #expect(warnings.map(\.problem) == ["could not warm up ghcr.io/team/app:2 through its cache: ghcr.io/team/app:2: manifest unknown"])
        }
    }

    @Test("a reused cluster starts the caches but warms nothing up: its node has the images")
    func reusedClusterWarmsNothing() async throws {
        let script = FakeBackend.Script(clusterExists: true, images: Self.images, caches: .init())
        try await run(script) { deployer, store, backend in
            let report = try await deployer.up(cluster: cluster, plan: plan, invocation: invocation)
            #expect(report.succeeded)
            #expect(try store.steps(of: report.runID).map(\.label) == [
                "preflight", "start-caches", "create-cluster", "deploy db", "deploy app",
            ])
            #expect(!backend.calls.value.contains { $0.hasPrefix("pull ") })
        }
    }

    @Test("what keeps the caches from starting is a preflight problem (exit 3); the cluster is not made")
    func cacheProblemsArePreflightProblems() async throws {
        let taken = Problem(.preflight, problem: "port 5001 on 127.0.0.1 is taken", fix: "stop what holds it")
        let script = FakeBackend.Script(images: Self.images, caches: .init(problems: [taken]))
        try await run(script) { deployer, store, backend in
            let report = try await deployer.up(cluster: cluster, plan: plan, invocation: invocation)
            #expect(!report.succeeded)
            #expect(report.problem?.kind == .preflight)
            #expect(report.problem?.problem == taken.problem)
            #expect(!backend.calls.value.contains("ensureCluster wrightnow"))
            let steps = try store.steps(of: report.runID)
            #expect(steps.map(\.state) == [.succeeded, .failed, .skipped, .skipped, .skipped])
        }
    }

    @Test("caches that cannot start fail the run before the cluster is made")
    func failedStartFailsTheRun() async throws {
        let script = FakeBackend.Script(images: Self.images, caches: .init(failStart: true))
        try await run(script) { deployer, store, backend in
            let report = try await deployer.up(cluster: cluster, plan: plan, invocation: invocation)
            #expect(!report.succeeded)
            #expect(report.problem?.problem == "the mirror would not start")
            #expect(!backend.calls.value.contains("ensureCluster wrightnow"))
            let steps = try store.steps(of: report.runID)
            #expect(steps.map(\.state) == [.succeeded, .failed, .skipped, .skipped, .skipped])
        }
    }

    @Test("interrupted while the warm-ups still run: they and the run are recorded as interrupted, never succeeded")
    func interruptedDuringWarmUp() async throws {
        let script = FakeBackend.Script(images: Self.images, caches: .init(hangInPull: true))
        try await run(script) { deployer, store, backend in
            let up = Task { try await deployer.up(cluster: cluster, plan: plan, invocation: invocation) }
            // The components finish while the pulls hang; then the run is cancelled (Ctrl-C).
            let deadline = ContinuousClock.now + .seconds(120)
            while !backend.calls.value.contains("smoke app"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            up.cancel()
            await #expect(throws: CancellationError.self) { _ = try await up.value }
            let run = try #require(try store.runs(limit: 1).first)
            #expect(run.outcome == .interrupted)
            let pulls = try store.steps(of: run.id).filter { $0.action == .pull }
            #expect(!pulls.isEmpty && pulls.allSatisfy { $0.state == .interrupted || $0.state == .skipped }, "\(pulls)")
            #expect(try store.steps(of: run.id).filter { $0.action == .deploy }.allSatisfy { $0.state == .succeeded })
        }
    }

    @Test("down keeps the caches; --remove-caches removes them as a last recorded step")
    func downKeepsOrRemovesCaches() async throws {
        try await run(FakeBackend.Script(clusterExists: true, caches: .init())) { deployer, store, backend in
            let kept = try await deployer.down(cluster: cluster, invocation: invocation)
            #expect(kept.succeeded)
            #expect(kept.steps.map(\.label) == ["delete-cluster"])
            #expect(!backend.calls.value.contains("remove caches"))

            let removed = try await deployer.down(cluster: cluster, removeCaches: true, invocation: invocation)
            #expect(removed.succeeded)
            #expect(removed.steps.map(\.label) == ["delete-cluster", "remove-caches"])
            #expect(removed.steps.last?.note == "removed the caches")
        }
    }
}
