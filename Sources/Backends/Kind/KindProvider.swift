import Foundation
import ProvisionCore

/// The default provider: a local cluster in Docker containers, made by kind.
///
/// Lifecycle only (`kind create/get/delete`, the context `kind-<name>`, the host directory
/// that keeps volume data); the shared deployment layer does the work inside the cluster.
public struct KindProvider: ClusterProvider {
    public let name = "kind"
    /// The kind config inside the overlay directory.
    public static let configFileName = "kind-cluster-config.yaml"

    let runner: any CommandRunner
    let preflightChecks: KindPreflight

    /// - Parameters:
    ///   - runner: runs every kind, kubectl and docker command.
    ///   - procRoot: where to read inotify limits (`/proc`; a temporary tree in tests).
    ///   - portChecker: how host ports are checked before a cluster is created.
    public init(
        runner: any CommandRunner,
        procRoot: URL = URL(filePath: "/proc"),
        portChecker: any PortChecker = SocketPortChecker()
    ) {
        self.runner = runner
        self.preflightChecks = KindPreflight(runner: runner, portChecker: portChecker, procRoot: procRoot)
    }

    // MARK: Cluster lifecycle

    public func preflight(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        let found = try await preflightChecks.toolVersions()
        try await preflightChecks.checkDockerDaemon()
        var warnings = preflightChecks.kindVersionWarnings(found)
        if creatingCluster {
            let configFile = configFile(for: cluster)
            let config = try KindClusterConfig(contentsOf: configFile)
            warnings += try preflightChecks.checkPorts(of: config, configPath: relativePath(configFile, in: cluster))
        }
        warnings += preflightChecks.inotifyWarnings()
        return PreflightReport(warnings: warnings, toolVersions: found)
    }

    public func clusterExists(_ cluster: ClusterSpec) async throws -> Bool {
        let output = try await runner.run(Command("kind", ["get", "clusters"], timeout: .seconds(60)))
        // "No kind clusters found." goes to standard error, so stdout lists names only.
        return output.standardOutput.split(separator: "\n")
            .contains { $0.trimmingCharacters(in: .whitespaces) == cluster.name }
    }

    public func ensureCluster(_ cluster: ClusterSpec) async throws -> ClusterProvisioning {
        if try await clusterExists(cluster) {
            try await restoreContextIfMissing(cluster)
            return .reused
        }
        let configFile = configFile(for: cluster)
        let config = try KindClusterConfig(contentsOf: configFile)
        if let dataDirectory = dataDirectory(for: cluster, config: config) {
            try createDataDirectory(dataDirectory)
        }
        let command = Command(
            "kind",
            ["create", "cluster", "--name", cluster.name, "--config", configFile.path, "--wait", "120s"],
            workingDirectory: repositoryRoot(of: cluster).path,
            timeout: .seconds(900))
        let output = try await runner.execute(command)
        guard output.exitStatus == 0 else {
            let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
            let text = failure.combinedOutput
            if text.contains("port is already allocated") || text.contains("address already in use") {
                throw Problem(
                    problem: "kind could not create cluster \(cluster.name): a host port it publishes is taken",
                    fix: "stop what listens on the ports in \(relativePath(configFile, in: cluster)) "
                        + "(`sudo ss -ltnp` shows it), then run `provision up` again",
                    cause: failure)
            }
            throw Problem(
                problem: "kind could not create cluster \(cluster.name)",
                fix: "read kind's output below; `kind create cluster` cleans up after a failure, so "
                    + "`provision up` can simply be run again once the cause is fixed "
                    + "(if a half-made cluster remains: `provision down`)",
                cause: failure)
        }
        return .created
    }

    public func deleteCluster(_ cluster: ClusterSpec) async throws {
        let command = Command("kind", ["delete", "cluster", "--name", cluster.name], timeout: .seconds(300))
        let output = try await runner.execute(command)
        guard output.exitStatus == 0 else {
            throw Problem(
                problem: "kind could not delete cluster \(cluster.name)",
                fix: "check that Docker runs (`docker info`), then run `provision down` again; "
                    + "leftover node containers can be removed with `docker rm -f \(cluster.name)-control-plane`",
                cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
        }
        // As the seed's teardown does: confirm the cluster is really gone.
        if try await clusterExists(cluster) {
            throw Problem(
                problem: "`kind delete cluster` succeeded but `kind get clusters` still lists \(cluster.name)",
                fix: "run `kind delete cluster --name \(cluster.name)` by hand and check `docker ps -a`")
        }
    }

    /// A cluster that outlived its kubeconfig entry (a reset ~/.kube/config) is unreachable
    /// by context name; `kind export kubeconfig` writes the entry again.
    private func restoreContextIfMissing(_ cluster: ClusterSpec) async throws {
        let contexts = try await runner.run(
            Command("kubectl", ["config", "get-contexts", "-o", "name"], timeout: .seconds(30)))
        let wanted = kubeContext(for: cluster)
        guard !contexts.standardOutput.split(separator: "\n").contains(where: { $0 == wanted }) else { return }
        try await runner.run(Command("kind", ["export", "kubeconfig", "--name", cluster.name], timeout: .seconds(60)))
    }

    public func kubeContext(for cluster: ClusterSpec) -> String {
        "kind-\(cluster.name)"
    }

    // MARK: Files

    /// The kind config of the cluster's overlay.
    public func configFile(for cluster: ClusterSpec) -> URL {
        cluster.overlayDirectory.appending(path: Self.configFileName)
    }

    /// The host directory that keeps persistent volume data across cluster recreation
    /// (the kind config's extraMount onto local-path-provisioner's directory), or nil
    /// when the config has none. `provision down --purge-data` deletes it after confirmation.
    public func dataDirectory(for cluster: ClusterSpec) throws -> URL? {
        dataDirectory(for: cluster, config: try KindClusterConfig(contentsOf: configFile(for: cluster)))
    }

    func dataDirectory(for cluster: ClusterSpec, config: KindClusterConfig) -> URL? {
        guard let mount = config.dataMount else { return nil }
        if mount.hostPath.hasPrefix("/") { return URL(filePath: mount.hostPath).standardizedFileURL }
        // kind resolves relative host paths against its working directory: the repository root.
        return repositoryRoot(of: cluster).appending(path: mount.hostPath).standardizedFileURL
    }

    /// The parent of `k8s/`: kind runs there so relative paths in its config resolve.
    func repositoryRoot(of cluster: ClusterSpec) -> URL {
        cluster.manifestsRoot.standardizedFileURL.deletingLastPathComponent()
    }

    private func relativePath(_ file: URL, in cluster: ClusterSpec) -> String {
        let root = repositoryRoot(of: cluster).path
        let path = file.standardizedFileURL.path
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    private func createDataDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw Problem(
                problem: "cannot create the data directory \(directory.path) that keeps volumes across "
                    + "cluster recreation: \(error.localizedDescription)",
                fix: "make its parent writable, or change the extraMounts hostPath in the kind config")
        }
    }
}
