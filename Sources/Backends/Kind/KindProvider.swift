import Foundation
import ProcessRunning
import ProvisionCore
import Synchronization

/// The default provider: a local cluster in Docker containers, made by kind.
///
/// Lifecycle only (`kind create/get/delete`, the context `kind-<name>`, the host directory
/// that keeps volume data); the shared deployment layer does the work inside the cluster.
public struct KindProvider: ClusterProvider {
    public var name: String { Self.backend.name }
    /// The kind config inside the overlay directory.
    public static let configFileName = "kind-cluster-config.yaml"

    /// `--backend kind`. A cluster name becomes part of container and context names, so kind
    /// restricts it (pkg/internal/apis/config/validate.go validNameRE, create.go clusterNameMax).
    public static let backend = Backend(
        name: "kind", summary: "kind makes a local cluster in Docker containers",
        clusterNameProblem: { name in
            name.wholeMatch(of: /[a-z0-9.-]+/) != nil && name.count <= 50
                ? nil
                : "cluster name '\(name)' is not valid: kind's rule is lowercase letters, digits, '.' and '-' "
                    + "(^[a-z0-9.-]+$), at most 50 characters"
        },
        makeProvider: { KindProvider(runner: $0.runner) })

    let runner: any CommandRunner
    let preflightChecks: KindPreflight
    let contexts: KubeconfigContexts
    /// The kind config is read once per provider (one run), whichever step asks first.
    private let configs = Memo<URL, KindClusterConfig>()
    /// The image caches of one run: starting them learns what the warm-up pulls need.
    private let caches = Memo<URL, KindImageCaches>()
    let portChecker: any PortChecker

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
        self.preflightChecks = KindPreflight(portChecker: portChecker, procRoot: procRoot)
        self.portChecker = portChecker
        self.contexts = KubeconfigContexts(runner: runner)
    }

    // MARK: Cluster lifecycle

    /// Every blocking problem at once (missing tools, Docker not running, kind too old, taken
    /// ports), each with its fix; warnings for the rest. A stopped or foreign cluster is
    /// ``existingClusterProblems(_:)``, which preflight adds.
    public func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        var (found, blocking) = await ToolProbe(runner: runner).versions(of: KindPreflight.tools)
        if found.contains(where: { $0.tool == "docker" }), let problem = await DockerDaemon(runner: runner).problem() {
            blocking.append(problem)
        }
        if let problem = preflightChecks.kindVersionProblem(found) { blocking.append(problem) }
        var warnings = preflightChecks.kubectlSkewWarnings(found, config: try? config(for: cluster))
        if creatingCluster {
            do {
                let ports = preflightChecks.checkPorts(
                    of: try config(for: cluster), configPath: relativePath(configFile(for: cluster), in: cluster))
                if let problem = ports.problem { blocking.append(problem) }
                warnings += ports.warnings
            } catch {
                blocking.append(Problem(error).reported(as: .preflight))
            }
        }
        warnings += preflightChecks.inotifyWarnings()
        return PreflightReport(blocking: blocking, warnings: warnings, toolVersions: found)
    }

    /// kind lists a cluster while its node containers exist, stopped ones included (`docker
    /// ps -a`). A stopped node does not start again by itself after `docker stop` (kind runs
    /// nodes with `--restart=on-failure:1`), and a cluster made without this overlay's kind
    /// config has no host ports for the ingress and no data mount: both are found here,
    /// from `docker container inspect` of the control-plane node, before any kubectl call.
    public func existingClusterProblems(_ cluster: ClusterSpec) async -> [Problem] {
        let node = "\(cluster.name)-control-plane"
        let command = Command(
            "docker",
            ["container", "inspect", "--format",
             "{{.State.Status}}|{{json .HostConfig.PortBindings}}|{{json .HostConfig.Binds}}", node],
            timeout: .seconds(30))
        guard let output = try? await runner.execute(command), output.exitStatus == 0 else { return [] }
        let fields = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3 else { return [] }
        let state = fields[0]
        guard state == "running" else {
            return [Problem(
                .preflight,
                problem: "cluster \(cluster.name) exists, but its node container \(node) is \(state), so its API "
                    + "server does not answer (kind's nodes do not start again by themselves after `docker stop`, "
                    + "and not always after a reboot)",
                fix: "start it: `docker start \(node)`, then run the command again; or recreate the cluster: "
                    + "`provision down`, then `provision up` (the data directory is kept)")]
        }
        guard let config = try? config(for: cluster) else { return [] }
        let bindings = (try? JSONSerialization.jsonObject(with: Data(fields[1].utf8))) as? [String: [[String: String]]] ?? [:]
        let binds = (try? JSONSerialization.jsonObject(with: Data(fields[2].utf8))) as? [String] ?? []
        var missing: [String] = []
        for mapping in config.portMappings where mapping.protocol == "TCP" {
            let published = bindings["\(mapping.containerPort)/tcp"]?.contains { $0["HostPort"] == "\(mapping.hostPort)" }
            if published != true { missing.append("host port \(mapping.hostPort)") }
        }
        if let mount = config.dataMount,
            !binds.contains(where: { $0.split(separator: ":").dropFirst().first.map(String.init) == mount.containerPath })
        {
            missing.append("the data directory mount at \(mount.containerPath)")
        }
        guard !missing.isEmpty else { return [] }
        let configPath = relativePath(configFile(for: cluster), in: cluster)
        return [Problem(
            .preflight,
            problem: "cluster \(cluster.name) was not created from \(configPath): it lacks "
                + missing.joined(separator: " and ")
                + ", so the ingress cannot be reached from this machine and volumes would not outlive the cluster",
            fix: "recreate it from the config: `provision down` (deletes cluster \(cluster.name) and what runs "
                + "in it), then `provision up`; or deploy to another cluster: `provision up --cluster NAME`")]
    }

    public func publishedIngress(for cluster: ClusterSpec) -> String? {
        (try? config(for: cluster))?.ingressURL
    }

    /// kind's own ways back: its `export kubeconfig`, and starting its node container.
    public func remedies(for cluster: ClusterSpec) -> ClusterRemedies {
        let node = "\(cluster.name)-control-plane"
        let configPath = relativePath(configFile(for: cluster), in: cluster)
        return ClusterRemedies(
            missingContext: "write it again with `kind export kubeconfig --name \(cluster.name)`, then run `provision up`",
            unreachableAPIServer: "the kind node may be stopped: `provision status` says; `docker start \(node)` starts it",
            silentEdge: "check that the kind node publishes the edge's port (`docker port \(node)`) and that nothing "
                + "else holds it (\(whoListens(on: URLComponents(string: publishedIngress(for: cluster) ?? "")?.port ?? 80)))",
            foreignEdge: "another web server answers on that port; stop it, or change hostPort in \(configPath)")
    }

    public func clusterExists(_ cluster: ClusterSpec) async throws -> Bool {
        let output = try await runner.run(
            Command("kind", ["get", "clusters"], timeout: .seconds(60)), notFound: ToolRequirements.kind.missing)
        // "No kind clusters found." goes to standard error, so stdout lists names only.
        return output.standardOutput.split(separator: "\n")
            .contains { $0.trimmingCharacters(in: .whitespaces) == cluster.name }
    }

    public func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning {
        // kind makes its context the current one when it writes the kubeconfig (create and
        // export, merge.go); the user's own current context is put back afterwards.
        if exists {
            guard try await !contexts.names().contains(kubeContext(for: cluster)) else { return .reused }
            // A cluster that outlived its kubeconfig entry (a reset ~/.kube/config) is
            // unreachable by context name; `kind export kubeconfig` writes the entry again.
            let previous = await contexts.current()
            try await runner.run(Command("kind", ["export", "kubeconfig", "--name", cluster.name], timeout: .seconds(60)))
            let notes = ["wrote its missing kubeconfig context `\(kubeContext(for: cluster))` again"]
            return ClusterProvisioning(.reused, notes: notes + (await restoreCurrentContext(previous, after: cluster)))
        }
        let previous = await contexts.current()
        let configFile = configFile(for: cluster)
        let config = try config(for: cluster)
        if let dataDirectory = dataDirectory(for: cluster, config: config) {
            try createDataDirectory(dataDirectory)
        }
        let command = Command(
            "kind",
            ["create", "cluster", "--name", cluster.name, "--config", configFile.path, "--wait", "120s"],
            workingDirectory: repositoryRoot(of: cluster).path,
            timeout: .seconds(900))
        let output = try await runner.execute(command, notFound: ToolRequirements.kind.missing)
        guard output.exitStatus == 0 else {
            let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
            // kind deletes the nodes after most failures, but not when writing the kubeconfig
            // failed (create.go): whether the cluster is still there decides the fix.
            let leftBehind = (try? await clusterExists(cluster)) ?? false
            throw createFailure(failure, cluster: cluster, configFile: configFile, leftBehind: leftBehind)
        }
        var notes = await restoreCurrentContext(previous, after: cluster)
        // kind made its network with the cluster if it was not there: the caches join it now.
        if let caches = imageCaches(for: cluster).caches as? KindImageCaches { notes += try await caches.attach() }
        return ClusterProvisioning(.created, notes: notes)
    }

    /// Caches when the kind config mounts a host directory at containerd's `config_path`
    /// (where their `hosts.toml` files go); the local registry when k8s/ announces one.
    public func imageCaches(for cluster: ClusterSpec) -> ImageCacheSupport {
        let configPath = relativePath(configFile(for: cluster), in: cluster)
        let config: KindClusterConfig
        do {
            config = try self.config(for: cluster)
        } catch {
            return .unavailable(reason: "\(configPath) cannot be read, so no image caches are known")
        }
        guard let mount = config.registryHostsMount else {
            return .unavailable(
                reason: "\(configPath) mounts no host directory at containerd's config_path, so nodes pull every "
                    + "image from its registry")
        }
        let directory = hostDirectory(mount, in: cluster)
        do {
            return .available(try caches.value(for: directory) {
                KindImageCaches(
                    runner: runner, hostsDirectory: directory,
                    hostsDirectoryShown: relativePath(directory, in: cluster),
                    local: try LocalRegistryHosting.load(manifestsRoot: cluster.manifestsRoot), portChecker: portChecker)
            })
        } catch {
            return .unavailable(reason: Problem(error).problem)
        }
    }

    /// What a failed `kind create cluster` said, with the fix for it.
    func createFailure(_ failure: CommandError, cluster: ClusterSpec, configFile: URL, leftBehind: Bool) -> Problem {
        let text = failure.combinedOutput
        let configPath = relativePath(configFile, in: cluster)
        let port = text.firstMatch(of: /(?:Bind for [\d.:\[\]]+?|listen tcp[46]? [\d.\[\]]+|privileged port)[: ](\d+)/)
            .map { String($0.1) } ?? "80"
        let cleanup = leftBehind
            ? " kind left the cluster's nodes behind: `provision down` removes them first."
            : ""
        if text.contains("port is already allocated") {
            return Problem(
                problem: "kind could not create cluster \(cluster.name): another container already publishes host port \(port)",
                fix: "find it with `docker ps --filter publish=\(port)` (often another kind cluster: `kind get clusters`) "
                    + "and stop it, or change hostPort in \(configPath); then run `provision up` again." + cleanup,
                cause: failure)
        }
        if text.contains("address already in use") {
            return Problem(
                problem: "kind could not create cluster \(cluster.name): a program on this host listens on port \(port)",
                fix: "stop it (\(whoListens(on: Int(port) ?? 80))), or change hostPort in \(configPath); "
                    + "then run `provision up` again." + cleanup,
                cause: failure)
        }
        if text.contains("permission denied"), text.contains("port") {
            return Problem(
                problem: "kind could not create cluster \(cluster.name): Docker may not bind port \(port) (below 1024) "
                    + "as an unprivileged user",
                fix: "rootless Docker on Linux: `sudo sysctl net.ipv4.ip_unprivileged_port_start=\(port)` (persist it in "
                    + "/etc/sysctl.d/); Docker Desktop: Settings > Advanced > enable \"Allow privileged port mapping\"; "
                    + "or change hostPort in \(configPath) to 1024 or above. Then run `provision up` again." + cleanup,
                cause: failure)
        }
        return Problem(
            problem: "kind could not create cluster \(cluster.name)" + (leftBehind ? "; its nodes are still there" : ""),
            fix: leftBehind
                ? "kind did not clean up (it keeps the nodes when writing the kubeconfig fails): read its output "
                    + "below, then `provision down` to remove the nodes and `provision up` to start again"
                : "read kind's output below; kind removed what it had made, so run `provision up` again once the "
                    + "cause is fixed",
            cause: failure)
    }

    public func deleteCluster(_ cluster: ClusterSpec) async throws {
        let command = Command("kind", ["delete", "cluster", "--name", cluster.name], timeout: .seconds(300))
        let output = try await runner.execute(command, notFound: ToolRequirements.kind.missing)
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

    private func restoreCurrentContext(_ previous: String?, after cluster: ClusterSpec) async -> [String] {
        await contexts.restoreCurrent(previous, after: name, own: kubeContext(for: cluster))
    }

    public func kubeContext(for cluster: ClusterSpec) -> String {
        Self.kubeContext(ofCluster: cluster.name)
    }

    /// The context `kind create cluster` writes for cluster `name` (kind's `kind-<name>`).
    public static func kubeContext(ofCluster name: String) -> String {
        "kind-\(name)"
    }

    // MARK: Files

    /// The kind config of the cluster's overlay.
    public func configFile(for cluster: ClusterSpec) -> URL {
        cluster.overlayDirectory.appending(path: Self.configFileName)
    }

    /// The host directory that keeps persistent volume data across cluster recreation
    /// (the kind config's extraMount onto local-path-provisioner's directory), or nil
    /// when the config has none. `provision down --purge-data` deletes it after confirmation.
    /// What the run that created the cluster recorded comes first (the data is where that
    /// cluster put it, and `down` works without the manifests); else the config says.
    public func dataDirectory(for cluster: ClusterSpec) throws -> URL? {
        if let recorded = cluster.recordedDataDirectory { return recorded }
        return dataDirectory(for: cluster, config: try config(for: cluster))
    }

    /// The cluster's kind config, read and parsed at its first use in this provider's run.
    func config(for cluster: ClusterSpec) throws -> KindClusterConfig {
        let file = configFile(for: cluster)
        return try configs.value(for: file) { try KindClusterConfig(contentsOf: file) }
    }

    func dataDirectory(for cluster: ClusterSpec, config: KindClusterConfig) -> URL? {
        config.dataMount.map { hostDirectory($0, in: cluster) }
    }

    /// Where a mount's host directory is: kind resolves relative host paths against its working
    /// directory, the repository root.
    func hostDirectory(_ mount: KindClusterConfig.Mount, in cluster: ClusterSpec) -> URL {
        if mount.hostPath.hasPrefix("/") { return URL(filePath: mount.hostPath).standardizedFileURL }
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

/// What one run learnt once, by key (a kind config parsed, the image caches made), shared by
/// the provider's copies.
private final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])

    /// The value known for `key`, else the one `make` gives (kept, unless another task kept
    /// one first); a failure is not kept, so it is tried again.
    func value(for key: Key, make: () throws -> Value) rethrows -> Value {
        if let known = values.withLock({ $0[key] }) { return known }
        let made = try make()
        return values.withLock { known in
            if let first = known[key] { return first }
            known[key] = made
            return made
        }
    }
}
