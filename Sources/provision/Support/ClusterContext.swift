import Backends
import Foundation
import Kubernetes
import ProvisionCore

/// What every command that touches a cluster needs: the spec, the provider that owns the
/// cluster's lifecycle, and the shared deployment layer on the provider's kube context.
/// The CLI composes them here and nowhere else, and never asks which provider it has.
struct ClusterContext {
    let spec: ClusterSpec
    let provider: any ClusterProvider
    let deployment: KubernetesDeployment
    let vault: SecretVault
    let context: CommandContext

    /// For `--backend existing` without `--context`, kubectl's current context is resolved
    /// once here, said aloud, and named on every call from then on.
    init(target: TargetOptions, state: StateOptions, context: CommandContext) async throws {
        spec = try target.clusterSpec(in: context)
        var kubeContext = target.context
        if target.backend == .existing, kubeContext == nil {
            let current = try await ExistingClusterProvider.currentContext(runner: context.runner)
            context.console.out("Using kubectl's current context `\(current)` (pass --context to choose another).")
            kubeContext = current
        }
        provider = context.makeProvider(target.backend, context.runner, kubeContext)
        let stateDirectory = state.directory(in: context)
        vault = SecretVault(stateDirectory: stateDirectory, cluster: spec.name)
        deployment = KubernetesDeployment(
            kubectl: Kubectl(runner: context.runner, context: provider.kubeContext(for: spec)),
            manifests: ManifestSource(
                runner: context.runner, cacheDirectory: stateDirectory.appending(path: "cache/manifests")),
            vault: vault, cluster: spec)
        self.context = context
    }

    func invocation() async -> RunInvocation {
        RunInvocation(
            commandLine: context.commandLine,
            toolVersion: ProvisionVersion.current,
            manifestsRevision: await GitRevision.of(manifests: spec.manifestsRoot, runner: context.runner),
            user: context.environment["USER"] ?? context.environment["LOGNAME"] ?? NSUserName(),
            host: ProcessInfo.processInfo.hostName)
    }
}
