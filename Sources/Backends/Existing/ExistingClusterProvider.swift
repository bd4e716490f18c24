import Foundation
import ProcessRunning
import ProvisionCore

/// A cluster that is already there: k3d, minikube, Docker Desktop's Kubernetes, or a managed
/// cluster made with gcloud, eksctl or az. Reached through one kubeconfig context, named on
/// every kubectl call, so a current context changed mid-run cannot redirect it.
///
/// It never creates or deletes the cluster and never calls kind or docker: `down` removes the
/// stack from it instead (``ClusterProvider/ownsCluster``).
public struct ExistingClusterProvider: ClusterProvider {
    public var name: String { Self.backend.name }
    public let context: String
    let runner: any CommandRunner
    let contexts: KubeconfigContexts

    /// `--backend existing [--context NAME]`: without `--context`, kubectl's current context,
    /// resolved once, said aloud and named on every call from then on.
    public static let backend = Backend(
        name: "existing",
        summary: "existing deploys onto a cluster you already have (--context)",
        takesContext: true,
        makeProvider: { request in
            guard let named = request.context else {
                let current = try await KubeconfigContexts(runner: request.runner).requireCurrent(backend: "existing")
                request.say("Using kubectl's current context `\(current)` (pass --context to choose another).")
                return ExistingClusterProvider(context: current, runner: request.runner)
            }
            return ExistingClusterProvider(context: named, runner: request.runner)
        })

    /// - Parameter context: the kubeconfig context.
    public init(context: String, runner: any CommandRunner) {
        self.context = context
        self.runner = runner
        self.contexts = KubeconfigContexts(runner: runner)
    }

    public var ownsCluster: Bool { false }

    public func kubeContext(for cluster: ClusterSpec) -> String { context }

    /// Whether the kubeconfig has the context (no request reaches the cluster).
    public func clusterExists(_ cluster: ClusterSpec) async throws -> Bool {
        try await contexts.names().contains(context)
    }

    /// kubectl is installed, the context exists, the API server answers `/readyz`; reports the
    /// client and server versions and warns when they are more than one minor version apart.
    public func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        let known = try await contexts.names()
        guard known.contains(context) else {
            throw Problem(
                .preflight, problem: "the kubeconfig has no context `\(context)`",
                fix: "pick one of: \(known.isEmpty ? "(none)" : known.joined(separator: ", ")) "
                    + "(`kubectl config get-contexts`), or add the cluster's credentials with its provider's CLI "
                    + "(gcloud container clusters get-credentials, aws eks update-kubeconfig, az aks get-credentials)")
        }
        let readyz = Command("kubectl", ["--context", context, "get", "--raw", "/readyz"], timeout: .seconds(30))
        let ready = try await runner.execute(readyz)
        guard ready.exitStatus == 0 else {
            throw Problem(
                .preflight, problem: "the API server of context `\(context)` does not answer",
                fix: "check that the cluster runs and that this machine reaches it (VPN, firewall, expired "
                    + "credentials): `kubectl --context \(context) get --raw /readyz` must print ok",
                cause: CommandError(command: readyz, reason: .exited(ready.exitStatus), output: ready))
        }
        let versions = try await runner.run(
            Command("kubectl", ["--context", context, "version", "-o", "json"], timeout: .seconds(30)))
        let (client, server) = Self.versions(fromJSON: versions.standardOutput)
        var found: [ToolVersion] = []
        if let client { found.append(ToolVersion(tool: "kubectl", version: client)) }
        if let server { found.append(ToolVersion(tool: "server", version: server)) }
        var warnings: [PreflightWarning] = []
        if let client, let server, let serverMinor = KubectlSkew.minor(of: server),
            let warning = KubectlSkew.warning(client: client, serverMinor: serverMinor, server: "the API server (\(server))")
        {
            warnings.append(warning)
        }
        return PreflightReport(warnings: warnings, toolVersions: found)
    }

    /// The context must exist; the cluster is never created.
    public func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning {
        guard exists else {
            throw Problem(
                .preflight, problem: "the kubeconfig has no context `\(context)`",
                fix: "`kubectl config get-contexts` lists the contexts; provision never creates this cluster")
        }
        return .reused
    }

    /// Never deletes the cluster: ``ownsCluster`` is false, so `down` removes the stack instead.
    public func deleteCluster(_ cluster: ClusterSpec) async throws {
        throw Problem(
            .usage, problem: "provision does not delete clusters it did not create (context `\(context)`)",
            fix: "`provision down --backend existing` removes the stack from it; delete the cluster with the tool that made it")
    }

    /// The context and the API server URL behind it, recorded with each run.
    public func target(for cluster: ClusterSpec) async -> ClusterTarget {
        ClusterTarget(context: context, server: await contexts.server(of: context))
    }

    // MARK: Parsing

    /// `clientVersion.gitVersion` and `serverVersion.gitVersion` of `kubectl version -o json`.
    static func versions(fromJSON text: String) -> (client: String?, server: String?) {
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        func version(_ key: String) -> String? { (object[key] as? [String: Any])?["gitVersion"] as? String }
        return (version("clientVersion"), version("serverVersion"))
    }
}
