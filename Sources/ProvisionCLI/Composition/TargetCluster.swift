import Backends
import Foundation
import Kubernetes
import ProvisionCore

/// What every command that touches a cluster needs: the spec, the provider that owns the
/// cluster's lifecycle, and the shared deployment layer on the provider's kube context.
/// The CLI composes them here and nowhere else, and never asks which provider it has: the
/// selected ``Backend`` makes it.
struct TargetCluster {
    let spec: ClusterSpec
    let provider: any ClusterProvider
    /// The backend `--backend` selected, with its command-line rules.
    let backend: Backend
    let deployment: KubernetesDeployment
    /// Where the cluster's generated secrets live (the deployment writes them from here).
    var vault: SecretVault { deployment.vault }
    let runtime: Runtime
    let stateDirectory: URL
    /// Whether a `k8s/` directory was found (here, or where the cluster's record says):
    /// `down` and `status` work without one, on what the cluster's record holds.
    let hasManifests: Bool
    /// What the run that created the cluster recorded, if any.
    let record: ClusterRecord?

    /// - Parameters:
    ///   - manifestsRequired: false for `down` and `status`, which fall back to the cluster's
    ///     record (and work without manifests at all where they can).
    ///   - forceConflicts: `up --force-conflicts`, applies take fields other managers own.
    init(
        target: TargetOptions, state: StateOptions, runtime: Runtime,
        manifestsRequired: Bool = true, forceConflicts: Bool = false
    ) async throws {
        let backend = try target.selectedBackend(among: runtime.backends)
        let stateDirectory = state.directory(in: runtime)
        let record = ClusterRecord.load(cluster: target.cluster, stateDirectory: stateDirectory)
        var spec: ClusterSpec
        var found = true
        do {
            spec = try target.clusterSpec(in: runtime)
        } catch is Problem where !manifestsRequired && target.manifests == nil {
            // No k8s/ here: the one the cluster was deployed from, else none at all.
            let recorded = record.map { URL(filePath: $0.manifests, directoryHint: .isDirectory) }
            if let recorded, FileManager.default.fileExists(atPath: recorded.appending(path: "overlays").path) {
                spec = ClusterSpec(name: target.cluster, manifestsRoot: recorded, overlay: record?.overlay ?? target.overlay)
            } else {
                found = false
                spec = ClusterSpec(
                    name: target.cluster, manifestsRoot: runtime.workingDirectory.appending(path: "k8s"),
                    overlay: target.overlay)
            }
        }
        if found {
            spec.recordedDataDirectory = record?.dataDirectory.map { URL(filePath: $0, directoryHint: .isDirectory) }
        }
        try await self.init(
            spec: spec, record: record, hasManifests: found, backend: backend, target: target,
            stateDirectory: stateDirectory, runtime: runtime, forceConflicts: forceConflicts)
    }

    private init(
        spec: ClusterSpec, record: ClusterRecord?, hasManifests: Bool, backend: Backend, target: TargetOptions,
        stateDirectory: URL, runtime: Runtime, forceConflicts: Bool
    ) async throws {
        self.spec = spec
        self.record = record
        self.hasManifests = hasManifests
        self.stateDirectory = stateDirectory
        self.runtime = runtime
        let console = runtime.console
        self.backend = backend
        // What the backend says while it makes its provider goes to standard error, so that
        // standard output stays the command's own (`status --json` prints one JSON document).
        provider = try await backend.makeProvider(
            BackendRequest(runner: runtime.runner, context: target.context, say: { console.error($0) }))
        deployment = KubernetesDeployment(
            cluster: spec, provider: provider, runner: runtime.runner, stateDirectory: stateDirectory,
            sleep: runtime.sleep, forceConflicts: forceConflicts)
    }

    /// Records where the cluster's manifests and data are, after a run that created or reused it.
    func saveRecord(run: RunID) -> String? {
        guard hasManifests else { return nil }
        // Where this config puts the data, not what an older record said.
        var current = spec
        current.recordedDataDirectory = nil
        let record = ClusterRecord(
            backend: provider.name, manifests: spec.manifestsRoot.standardizedFileURL.path, overlay: spec.overlay,
            dataDirectory: (try? provider.dataDirectory(for: current))??.path, run: run.rawValue)
        return record.save(cluster: spec.name, stateDirectory: stateDirectory)
    }

    func invocation() async -> RunInvocation {
        RunInvocation(
            commandLine: runtime.commandLine,
            toolVersion: ProvisionVersion.current,
            manifestsRevision: await GitRevision.of(manifests: spec.manifestsRoot, runner: runtime.runner),
            user: runtime.environment["USER"] ?? runtime.environment["LOGNAME"] ?? NSUserName(),
            host: ProcessInfo.processInfo.hostName)
    }
}
