import Components
import Foundation
import Kubernetes
import ProvisionCore
import RunHistory
import Testing
import TestSupport

/// A provider only manages its cluster: one that creates nothing, on a cluster that is already
/// there, deploys the whole stack through the shared deployment layer (the fake kubectl and
/// curl, the real manifests).
@Suite("the provider seam")
struct ProviderSeamTests {
    /// The smallest provider there is: the cluster exists, nothing to check, nothing to make.
    struct ExistingCluster: ClusterProvider {
        let context: String
        var name: String { "existing" }
        func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport { PreflightReport() }
        func clusterExists(_ cluster: ClusterSpec) async throws -> Bool { true }
        func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning { .reused }
        func deleteCluster(_ cluster: ClusterSpec) async throws {}
        func kubeContext(for cluster: ClusterSpec) -> String { context }
    }

    @Test("a provider that creates nothing deploys every component through KubernetesDeployment")
    func wholeStackThroughTheSharedLayer() async throws {
        let world = try FakeWorld()
        // A cluster "wrightnow" that something else made, reached through its own context.
        try world.addCluster("wrightnow", context: "somewhere-else")

        let runner = EnvironmentRunner(environment: world.environment)
        let cluster = ClusterSpec(
            name: "wrightnow", manifestsRoot: world.repository.appending(path: "k8s"), overlay: "local")
        let provider = ExistingCluster(context: "somewhere-else")
        let deployment = KubernetesDeployment(
            kubectl: Kubectl(runner: runner, context: provider.kubeContext(for: cluster)),
            manifests: ManifestSource(runner: runner),
            vault: SecretVault(stateDirectory: world.stateDirectory, cluster: cluster.name), cluster: cluster)
        let store = try StateStore(url: StateStore.file(in: world.stateDirectory))
        let plan = try Plan(components: StackCatalog.all)

        let report = try await Deployer(provider: provider, deployment: deployment, store: store)
            .up(cluster: cluster, plan: plan, invocation: RunInvocation(commandLine: ["test"], toolVersion: "test"))

        #expect(report.succeeded, "\(String(describing: report.problem))")
        #expect(report.steps.filter { $0.action == .deploy }.map(\.component) == plan.order.map { $0 })
        // Every step but the retired edge's, which the default overlay does not select.
        #expect(report.steps.allSatisfy { $0.state == .succeeded || $0.component == "ingress-nginx" })
        #expect(report.steps.first { $0.component == "ingress-nginx" }?.state == .skipped)
        #expect(world.calls.allSatisfy { !$0.hasPrefix("kind ") && !$0.hasPrefix("docker ") }, "\(world.calls)")
        // Readiness came from the objects: every rendered workload was waited for.
        #expect(world.events.contains("ready deployment/authentik-server"))
        #expect(world.events.contains("ready statefulset/postgres"))
        #expect(world.events.contains("ready deployment/nginx-gateway"))
        #expect(world.events.contains("ready gateway/wrightnow") && world.events.contains("ready httproute/authentik"))
    }
}
