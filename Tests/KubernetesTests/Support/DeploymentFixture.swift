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
}
