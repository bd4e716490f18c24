import Foundation
import ProvisionCore

/// A cluster that is already there: k3d, minikube, Docker Desktop's Kubernetes, or a managed
/// cluster made with gcloud, eksctl or az. Reached through one kubeconfig context, named on
/// every kubectl call, so a current context changed mid-run cannot redirect it.
///
/// It never creates or deletes the cluster and never calls kind or docker: `down` removes the
/// stack from it instead (``ClusterProvider/ownsCluster``).
public struct ExistingClusterProvider: ClusterProvider {
    public let name = "existing"
    public let context: String
    let runner: any CommandRunner

    /// - Parameter context: the kubeconfig context; the CLI resolves kubectl's current
    ///   context when none is given (``currentContext(runner:)``).
    public init(context: String, runner: any CommandRunner) {
        self.context = context
        self.runner = runner
    }

    public var ownsCluster: Bool { false }

    public func kubeContext(for cluster: ClusterSpec) -> String { context }

    /// kubectl's current context, for `--backend existing` without `--context`.
    public static func currentContext(runner: any CommandRunner) async throws -> String {
        let command = Command("kubectl", ["config", "current-context"], timeout: .seconds(30))
        let output = try await runner.execute(command, notFound: ToolRequirements.kubectl.missing)
        let name = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard output.exitStatus == 0, !name.isEmpty else {
            throw Problem(
                .preflight, problem: "kubectl has no current context to deploy to",
                fix: "name the cluster's context: `provision up --backend existing --context NAME` "
                    + "(`kubectl config get-contexts` lists them)",
                cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
        }
        return name
    }

    /// Whether the kubeconfig has the context (no request reaches the cluster).
    public func clusterExists(_ cluster: ClusterSpec) async throws -> Bool {
        try await contexts().contains(context)
    }

    /// kubectl is installed, the context exists, the API server answers `/readyz`; reports the
    /// client and server versions and warns when they are more than one minor version apart.
    public func preflight(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        let known = try await contexts()
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
        if let client, let server, let skew = Self.minorSkew(client, server), skew > 1 {
            warnings.append(PreflightWarning(
                problem: "kubectl \(client) is \(skew) minor versions away from the API server (\(server)); "
                    + "kubectl supports one minor version of skew",
                fix: "install a kubectl within one minor version of \(server)"))
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

    /// The API server URL of the context, recorded with each run.
    public func serverURL() async -> String? {
        let command = Command(
            "kubectl", ["--context", context, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"],
            timeout: .seconds(30))
        guard let output = try? await runner.execute(command), output.exitStatus == 0 else { return nil }
        let server = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return server.isEmpty ? nil : server
    }

    public func target(for cluster: ClusterSpec) async -> ClusterTarget {
        ClusterTarget(context: context, server: await serverURL())
    }

    // MARK: Parsing

    private func contexts() async throws -> [String] {
        let command = Command("kubectl", ["config", "get-contexts", "-o", "name"], timeout: .seconds(30))
        return try await runner.run(command, notFound: ToolRequirements.kubectl.missing).standardOutput
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `clientVersion.gitVersion` and `serverVersion.gitVersion` of `kubectl version -o json`.
    static func versions(fromJSON text: String) -> (client: String?, server: String?) {
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        func version(_ key: String) -> String? { (object[key] as? [String: Any])?["gitVersion"] as? String }
        return (version("clientVersion"), version("serverVersion"))
    }

    /// The distance between the minor versions of `v1.35.2` and `v1.37.0`, or nil when unreadable.
    static func minorSkew(_ a: String, _ b: String) -> Int? {
        func minor(_ version: String) -> Int? {
            let parts = version.drop { !$0.isNumber }.split(separator: ".")
            guard parts.count >= 2, parts[0] == "1" else { return nil }
            return Int(parts[1].prefix { $0.isNumber })
        }
        guard let x = minor(a), let y = minor(b) else { return nil }
        return abs(x - y)
    }
}
