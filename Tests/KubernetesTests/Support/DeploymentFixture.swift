import Foundation
import Kubernetes
import ProvisionCore
import TestSupport

/// A temporary `k8s/` tree, a scripted runner, recorded sleeps and the shared deployment
/// layer on top, on the context `test-context`.
struct DeploymentFixture {
    let temporary: TemporaryDirectory
    let runner = ScriptedRunner()
    let sleeps = RecordedSleeps()
    let cluster: ClusterSpec
    let vault: SecretVault
    let deployment: KubernetesDeployment
    var cacheDirectory: URL { temporary.url.appending(path: "state/cache") }

    init() throws {
        temporary = try TemporaryDirectory()
        cluster = ClusterSpec(
            name: "wrightnow", manifestsRoot: temporary.url.appending(path: "repo/k8s"), overlay: "local")
        try FileManager.default.createDirectory(at: cluster.overlayDirectory, withIntermediateDirectories: true)
        vault = SecretVault(stateDirectory: temporary.url.appending(path: "state"), cluster: cluster.name)
        deployment = KubernetesDeployment(
            kubectl: Kubectl(
                runner: runner, context: "test-context",
                retryPolicy: WebhookRetryPolicy(maxAttempts: 4, initialDelay: .seconds(2), maxDelay: .seconds(5)),
                sleep: sleeps.sleep),
            manifests: ManifestSource(runner: runner, cacheDirectory: temporary.url.appending(path: "state/cache")),
            vault: vault, cluster: cluster)
    }

    /// `component` as a run prepares it, once, before its step.
    func release(_ component: any Component) async throws -> ComponentRelease {
        try await deployment.prepare(component)
    }

    /// A release with no objects, for checks that never look at them (a smoke check in a pod).
    static func bare(_ component: any Component) -> ComponentRelease {
        ComponentRelease(component: component, body: "", objects: [])
    }
}

extension KubernetesDeployment {
    /// What one deploy step does: prepares `component`, then applies it; the release is what
    /// the history records.
    func deploy(_ component: any Component) async throws -> ComponentRelease {
        let release = try await prepare(component)
        try await apply(release)
        return release
    }
}
