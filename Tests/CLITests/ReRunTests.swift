import Components
import Foundation
import ProvisionCore
import RunHistory
import Testing
import TestSupport
@testable import ProvisionCLI

/// A re-run on a healthy, unchanged stack does no work; drift shows in status and is repaired.
@Suite("re-runs and drift")
struct ReRunTests {
    static func applies(_ world: FakeWorld) -> [String] {
        world.calls.filter { $0.hasPrefix("kubectl") && $0.contains(" apply ") }
    }

    @Test("a second up applies nothing and downloads nothing, still runs the smoke checks, and --force applies")
    func secondUpDoesNoWork() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up").exitCode == 0)
        try world.clearCalls()

        let again = try await world.run("up")
        #expect(again.exitCode == 0, "\(again)")
        #expect(Self.applies(world).isEmpty, "\(Self.applies(world))")
        #expect(!world.calls.contains { $0.hasPrefix("curl") && $0.contains("deploy.yaml") }, "the pinned manifest came from the cache")
        #expect(world.calls.contains { $0.contains("redis-cli ping") } && world.calls.contains { $0.contains("/auth/api/v3/root/config/") })
        // Every deploy step but the retired edge's, which the default overlay does not select.
        let steps = try await world.lastRun().steps.filter { $0.action == "deploy" && $0.component != "ingress-nginx" }
        #expect(steps.allSatisfy { $0.state == .succeeded && $0.note?.hasPrefix("unchanged") == true }, "\(steps.map(\.note))")
        #expect(steps.allSatisfy { ($0.created, $0.changed) == (0, 0) && ($0.unchanged ?? 0) > 0 })
        // Issue 11's goal was a fixed number of subprocess calls for a no-op up (the kind
        // node's state among them), whatever the catalog holds: one look at the cluster, and
        // since issue 18 one look at the image caches (`docker container inspect` of them all).
        // The smoke checks (a command in a pod, a GET) still run, one or more per component
        // that has them, so they are left out of the count.
        let smoke = world.calls.filter { $0.hasPrefix("curl ") || $0.contains(" exec ") }
        let looks = world.calls.count - smoke.count
        #expect(looks <= 11, "\(looks) calls besides \(smoke.count) smoke checks:\n\(world.calls.joined(separator: "\n"))")
        let checks = try Plan(components: StackCatalog.all).steps.flatMap(\.smokeChecks).count
        #expect(smoke.count >= checks, "\(checks) smoke checks in the plan, \(smoke.count) calls: \(smoke)")

        try world.clearCalls()
        #expect(try await world.run("up", "--force").exitCode == 0)
        #expect(Self.applies(world).count >= 6)
    }

    /// The overlay that selects the seed's ingress-nginx edge.
    static let seedOverlay = "local-ingress-nginx"

    /// ingress-nginx's admission Jobs delete themselves once finished (ttlSecondsAfterFinished:
    /// 0). On a re-deploy their image is cached, so they are gone before `kubectl label -f -`
    /// reads them again, which the real kubectl answers with NotFound and exit 1.
    @Test("a re-deploy whose admission Jobs finished and removed themselves before labelling succeeds")
    func reDeployAfterTheJobsRemovedThemselves() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "ingress-nginx", "--overlay", Self.seedOverlay).exitCode == 0)
        #expect(world.events.contains("removed Job/ingress-nginx-admission-create (finished, ttlSecondsAfterFinished)"))

        // Gone Jobs are not drift: the stack is in sync, and a plain up applies nothing.
        let status = try await world.run("status", "--only", "ingress-nginx", "--overlay", Self.seedOverlay)
        let row = try #require(status.standardOutput.split(separator: "\n").first { $0.hasPrefix("ingress-nginx ") })
        #expect(row.contains("in sync"), "\(row)")
        try world.clearCalls()
        #expect(try await world.run("up", "--only", "ingress-nginx", "--overlay", Self.seedOverlay).exitCode == 0)
        #expect(Self.applies(world).isEmpty, "\(Self.applies(world))")

        try world.clearCalls()
        let again = try await world.run("up", "--only", "ingress-nginx", "--force", "--overlay", Self.seedOverlay)
        #expect(again.exitCode == 0, "\(again)")
        let events = world.events
        let applied = try #require(events.firstIndex(of: "applied Deployment/ingress-nginx-controller"), "\(events)")
        let removed = try #require(
            events.firstIndex(of: "removed Job/ingress-nginx-admission-patch (finished, ttlSecondsAfterFinished)"), "\(events)")
        #expect(applied < removed)
        #expect(world.calls.contains { $0.contains(" label -f - wrightnow/component=ingress-nginx --overwrite") })
        // The objects still there carry the label, so `down` finds them.
        let label = world.fakeState.appending(path: "labels/wrightnow/ingress-nginx/Deployment/ingress-nginx-controller")
        #expect(try String(contentsOf: label, encoding: .utf8).contains("wrightnow/component=ingress-nginx"))
    }

    /// The seed's order (scripts/k8s-setup.sh, then k8s-deploy.sh): ingress-nginx first, then the
    /// stack, on a cluster without staging-infra yet. The real `kubectl diff` stops at the first
    /// object of a missing namespace with exit 2 and no diff; the survey must still see the rest.
    @Test("on a cluster without the stack's namespaces yet, status and the unchanged detection still work")
    func namespacesNotThereYet() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "ingress-nginx", "--overlay", Self.seedOverlay).exitCode == 0)

        let status = try await world.provision("status", "--overlay", Self.seedOverlay)
        #expect(status.exitCode == 1, "\(status)")
        let rows = status.standardOutput.split(separator: "\n")
        let ingress = try #require(rows.first { $0.hasPrefix("ingress-nginx ") }, "\(status)")
        #expect(ingress.contains("in sync"), "\(ingress)")
        let redis = try #require(rows.first { $0.hasPrefix("redis ") }, "\(status)")
        #expect(redis.contains("missing Service/staging-infra/redis"), "\(redis)")
        #expect(world.calls.contains { $0.hasSuffix(" get namespaces -o name") })

        try world.clearCalls()
        let up = try await world.run("up", "--overlay", Self.seedOverlay)
        #expect(up.exitCode == 0, "\(up)")
        let steps = try await world.lastRun().steps.filter { $0.action == "deploy" }
        let ingressStep = try #require(steps.first { $0.component == "ingress-nginx" })
        #expect(ingressStep.note?.hasPrefix("unchanged") == true, "\(steps.map(\.note))")
        // The Gateway API edge has nothing in this overlay; everything else is applied.
        let gatewayEdge: Set<ComponentID> = ["gateway-crds", "nginx-gateway-fabric", "edge"]
        #expect(steps.filter { $0.component != "ingress-nginx" && !gatewayEdge.contains($0.component ?? "") }
            .allSatisfy { $0.note?.hasPrefix("applied") == true }, "\(steps.map(\.note))")
        #expect(steps.filter { gatewayEdge.contains($0.component ?? "") }.allSatisfy { $0.state == .skipped })
        #expect(!world.events.contains("applied Deployment/ingress-nginx-controller"))
    }

    @Test("an object changed in the cluster by hand shows as drift in status, and the next up repairs it")
    func driftIsShownAndRepaired() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up").exitCode == 0)
        // Someone scales redis by hand.
        let drift = world.fakeState.appending(path: "drift/wrightnow/staging-infra/Deployment")
        try FileManager.default.createDirectory(at: drift, withIntermediateDirectories: true)
        try "-  replicas: 3\n+  replicas: 1\n".write(to: drift.appending(path: "redis"), atomically: true, encoding: .utf8)

        let status = try await world.run("status")
        let redis = try #require(status.standardOutput.split(separator: "\n").first { $0.hasPrefix("redis ") })
        #expect(redis.contains("drifted") && redis.contains("Deployment/staging-infra/redis: replicas"), "\(redis)")
        let postgres = try #require(status.standardOutput.split(separator: "\n").first { $0.hasPrefix("postgres-pgvector ") })
        #expect(postgres.contains("in sync"))

        try world.clearCalls()
        #expect(try await world.run("up").exitCode == 0)
        // Only redis is applied again: its Secret, then its objects.
        #expect(Self.applies(world).count == 2, "\(Self.applies(world))")
        let appliedObjects = Set(world.events.filter { $0.hasPrefix("applied ") })
        #expect(appliedObjects == [
            "applied Secret/redis-credentials", "applied Service/redis", "applied PersistentVolumeClaim/redis-data",
            "applied Deployment/redis", "applied NetworkPolicy/redis-from-apps",
        ], "\(appliedObjects)")
        let steps = try await world.lastRun().steps
        #expect(steps.first { $0.component == "redis" }?.note == "applied 4 objects")
        let after = try await world.run("status")
        #expect(after.standardOutput.split(separator: "\n").first { $0.hasPrefix("redis ") }?.contains("in sync") == true)
    }
}

@Suite("history show --format mermaid")
struct HistoryGanttTests {
    @Test("draws the run's steps as the Gantt renderer does")
    func ganttOfARun() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)
        let shown = try await world.run("history", "show", "1", "--format", "mermaid")
        #expect(shown.exitCode == 0, "\(shown)")
        // The run as stored (the JSON of `history --json` rounds dates to seconds).
        let store = try StateStore(url: StateStore.file(in: world.stateDirectory))
        let run = try #require(try store.run(RunID(1)))
        #expect(shown.standardOutput == MermaidGantt.render(run: run, steps: try store.steps(of: run.id)) + "\n")
        #expect(shown.standardOutput.hasPrefix("gantt\n"))
    }
}
