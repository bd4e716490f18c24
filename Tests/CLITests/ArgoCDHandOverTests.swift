import Components
import Foundation
import ProvisionCore
import Testing
import TestSupport

/// After the stack was handed over to Argo CD (an Application labelled as provision's
/// hand-over applies it from Git): `status` shows what Argo CD reports of each component, and
/// `down` on a cluster provision did not create stops Argo CD before removing anything, so
/// its self-heal does not put the stack back. The Application is made here directly, as
/// `kubectl apply -f application.yaml` of the exported directory would.
@Suite("hand-over to Argo CD")
struct ArgoCDHandOverTests {
    static let application = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: argocd
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: wrightnow-local
          namespace: argocd
          labels:
            wrightnow/handed-over-by: provision
          finalizers:
            - resources-finalizer.argocd.argoproj.io
        spec:
          project: default
          source:
            repoURL: https://example.org/wrightnow.git
            targetRevision: main
            path: k8s/argocd/local
          destination:
            server: https://kubernetes.default.svc

        """

    static func handOver(_ world: FakeWorld) async throws {
        let apply = try await ChildProcess.run(
            ["kubectl", "--context", "kind-wrightnow", "apply", "--server-side", "--field-manager=argocd-test", "-f", "-"],
            environment: world.environment, workingDirectory: world.root, input: Data(Self.application.utf8))
        try #require(apply.exitCode == 0, "\(apply)")
    }

    @Test("status shows each component's Argo CD sync and health, in the table and in --json")
    func statusShowsArgoCD() async throws {
        let world = try FakeWorld()
        #expect(try await world.provision("up").exitCode == 0)
        // Before the hand-over there is no Argo CD column.
        let before = try await world.provision("status")
        #expect(!before.standardOutput.contains("ARGO CD"), "\(before)")

        try await Self.handOver(world)
        let status = try await world.provision("status", environment: ["FAKE_ARGOCD_OUT_OF_SYNC": "Deployment/redis"])
        #expect(status.exitCode == 0, "\(status)")
        let rows = status.standardOutput.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix("COMPONENT") && $0.contains("ARGO CD") }, "\(status)")
        #expect(rows.contains { $0.hasPrefix("redis ") && $0.contains("OutOfSync/Healthy") }, "\(status)")
        #expect(rows.contains { $0.hasPrefix("postgres-pgvector ") && $0.contains("Synced/Healthy") }, "\(status)")

        let json = try await world.provision("status", "--json", environment: ["FAKE_ARGOCD_DEGRADED": "StatefulSet/postgres"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let components = try #require(document["components"] as? [[String: Any]])
        let postgres = try #require(components.first { $0["id"] as? String == "postgres-pgvector" })
        #expect((postgres["gitOps"] as? [String: String]) == ["sync": "Synced", "health": "Degraded"], "\(postgres)")
    }

    @Test("down on a cluster provision did not create deletes the Application first, without its finalizer")
    func downStopsArgoCDFirst() async throws {
        let world = try FakeWorld()
        #expect(try await world.provision("up").exitCode == 0)
        try await Self.handOver(world)
        try world.clearCalls()

        let down = try await world.provision("down", "--backend", "existing", "--context", "kind-wrightnow")
        #expect(down.exitCode == 0, "\(down)")
        let steps = try await world.lastRun().steps
        #expect(steps.first?.label == "reclaim", "\(steps.map(\.label))")
        #expect(steps.first?.note?.contains("deleted Application wrightnow-local without its resources finalizer") == true)
        // The finalizer goes first, then the Application, then the stack.
        let events = world.events
        let patched = try #require(events.firstIndex(of: "patched Application/wrightnow-local"), "\(events)")
        let deleted = try #require(events.firstIndex(of: "deleted Application/wrightnow-local"), "\(events)")
        let firstRemoval = try #require(events.firstIndex { $0.hasPrefix("deleted ") && !$0.contains("Application/") })
        #expect(patched < deleted && deleted < firstRemoval)

        // Data and secrets survive the hand-over and the way back: no claim deleted, and the
        // next up deploys with the same generated values.
        #expect(!world.calls.contains { $0.contains(" delete ") && $0.contains("PersistentVolumeClaim") }, "\(world.calls)")
        let names = StackCatalog.all.flatMap(\.secrets).map(\.name)
        try #require(!names.isEmpty)
        let before = try names.map { try String(contentsOf: world.secretsFile($0), encoding: .utf8) }

        // Without a hand-over there is nothing to take back, and no such step.
        #expect(try await world.provision("up", "--backend", "existing", "--context", "kind-wrightnow").exitCode == 0)
        #expect(try names.map { try String(contentsOf: world.secretsFile($0), encoding: .utf8) } == before)
        let again = try await world.provision("down", "--backend", "existing", "--context", "kind-wrightnow")
        #expect(again.exitCode == 0, "\(again)")
        #expect(try await world.lastRun().steps.first?.label != "reclaim")
    }
}
