import Backends
import Foundation
import ProcessRunning
import ProvisionCore

/// A local k3s cluster in Docker containers, made by k3d: the provider docs/architecture.md's
/// "Adding a backend" has a new team member write, kept test-only (no `--backend k3d` for users).
/// `BackendGuideTests` registers it and deploys the stack through it against the fake tools.
/// Sources: k3d-io/k3d at v5.9.0-6-g46f3480d, the files named beside each fact.
public struct K3dProvider: ClusterProvider {
    /// `--backend k3d`. The name becomes part of host names, so k3d restricts it
    /// (pkg/client/clusterName.go CheckName: RFC 1123, at most DefaultClusterNameMaxLength 32).
    public static let backend = Backend(
        name: "k3d", summary: "k3d makes a local k3s cluster in Docker containers",
        clusterNameProblem: { name in
            name.wholeMatch(of: /([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?/) != nil
                && name.count <= 32
                ? nil
                : "cluster name '\(name)' is not valid: k3d's rule is a host name (RFC 1123), at most 32 characters"
        },
        makeProvider: { K3dProvider(runner: $0.runner) })

    /// "k3d version v5.9.0", then the default k3s image's version (cmd/root.go printVersion).
    static let tools: [VersionedTool] = [
        VersionedTool(ToolRequirements.k3d, versionArguments: ["version"]) { output in
            let words = VersionedTool.firstLine(output).split(separator: " ")
            return words.count == 3 && words[0] == "k3d" ? String(words[2]) : VersionedTool.firstLine(output)
        },
        .kubectl, .docker,
    ]

    public var name: String { Self.backend.name }
    let runner: any CommandRunner
    let contexts: KubeconfigContexts
    /// The host port k3d's load balancer publishes the edge on (on 127.0.0.1 only).
    let edgePort: Int
    let portChecker: any PortChecker

    public init(runner: any CommandRunner, edgePort: Int = 80, portChecker: any PortChecker = SocketPortChecker()) {
        self.runner = runner
        self.contexts = KubeconfigContexts(runner: runner)
        self.edgePort = edgePort
        self.portChecker = portChecker
    }

    /// k3d's kubeconfig names the context k3d-<name> (pkg/client/kubeconfig.go KubeconfigGet).
    public func kubeContext(for cluster: ClusterSpec) -> String { "k3d-\(cluster.name)" }

    public func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        var (found, blocking) = await ToolProbe(runner: runner).versions(of: Self.tools)
        if found.contains(where: { $0.tool == "docker" }), let problem = await DockerDaemon(runner: runner).problem() {
            blocking.append(problem)
        }
        if let problem = ToolProbe.tooOld(ToolRequirements.k3d, in: found, why: { _ in "provision passes k3d v5's flags" }) {
            blocking.append(problem)
        }
        var warnings: [PreflightWarning] = []
        if creatingCluster {
            let ports = portChecker.check(
                [PublishedPort(port: edgePort, address: "127.0.0.1")],
                publisher: { _ in "k3d's load balancer publishes it for the edge" },
                otherPort: "publish the edge on another port (`edgePort` of the k3d backend)")
            if let problem = ports.problem { blocking.append(problem) }
            warnings += ports.warnings
        }
        return PreflightReport(blocking: blocking, warnings: warnings, toolVersions: found)
    }

    public func clusterExists(_ cluster: ClusterSpec) async throws -> Bool {
        try await listed()[cluster.name] != nil
    }

    /// A cluster whose servers are all stopped (`k3d cluster stop`, a reboot) has no API server.
    public func existingClusterProblems(_ cluster: ClusterSpec) async -> [Problem] {
        guard let servers = try? await listed()[cluster.name], servers.running == 0 else { return [] }
        return [Problem(
            .preflight,
            problem: "cluster \(cluster.name) exists, but its servers are stopped (\(servers.running)/\(servers.count) "
                + "running), so its API server does not answer",
            fix: "start it: `k3d cluster start \(cluster.name)`, then run the command again")]
    }

    public func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning {
        if exists { return .reused }
        // k3d makes its context the current one (clusterCreate.go, --kubeconfig-switch-context);
        // the user's own is put back afterwards.
        let previous = await contexts.current()
        let command = Command(
            "k3d",
            ["cluster", "create", cluster.name,
             // The edge's data plane listens on node port 30080 (components/edge-gateway-api).
             "--port", "127.0.0.1:\(edgePort):30080@loadbalancer",
             // The stack brings its own edge; k3s's bundled Traefik would be a second one.
             "--k3s-arg=--disable=traefik@server:*",
             "--wait", "--timeout", "300s"],
            timeout: .seconds(600))
        let output = try await runner.execute(command, notFound: ToolRequirements.k3d.missing)
        guard output.exitStatus == 0 else {
            let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
            // clusterCreate.go stops before making anything when the name is taken; other
            // failures are rolled back (ClusterDelete) unless --no-rollback.
            if failure.combinedOutput.contains("a cluster with that name already exists") {
                throw Problem(
                    problem: "k3d could not create cluster \(cluster.name): a k3d cluster of that name appeared since preflight",
                    fix: "run `provision up --backend k3d` again to use it, or `provision down --backend k3d` to delete it first",
                    cause: failure)
            }
            throw Problem(
                problem: "k3d could not create cluster \(cluster.name)",
                fix: "read k3d's output below; k3d removed what it had made, so run `provision up --backend k3d` again "
                    + "once the cause is fixed",
                cause: failure)
        }
        return ClusterProvisioning(
            .created, notes: await contexts.restoreCurrent(previous, after: "k3d", own: kubeContext(for: cluster)))
    }

    /// `k3d cluster delete` of a cluster that is not there says so and succeeds (clusterDelete.go).
    public func deleteCluster(_ cluster: ClusterSpec) async throws {
        let command = Command("k3d", ["cluster", "delete", cluster.name], timeout: .seconds(300))
        let output = try await runner.execute(command, notFound: ToolRequirements.k3d.missing)
        guard output.exitStatus == 0 else {
            throw Problem(
                problem: "k3d could not delete cluster \(cluster.name)",
                fix: "check that Docker runs (`docker info`), then run `provision down --backend k3d` again",
                cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
        }
    }

    public func target(for cluster: ClusterSpec) async -> ClusterTarget {
        let context = kubeContext(for: cluster)
        return ClusterTarget(context: context, server: await contexts.server(of: context))
    }

    public func publishedIngress(for cluster: ClusterSpec) -> String? {
        edgePort == 80 ? "http://localhost/" : "http://localhost:\(edgePort)/"
    }

    /// k3d's own ways back: its kubeconfig merge, starting its nodes, its load balancer's port.
    public func remedies(for cluster: ClusterSpec) -> ClusterRemedies {
        ClusterRemedies(
            missingContext: "write it again with `k3d kubeconfig merge \(cluster.name) --kubeconfig-merge-default`, "
                + "then run `provision up --backend k3d`",
            unreachableAPIServer: "the cluster's servers may be stopped (`k3d cluster list` counts the running ones): "
                + "`k3d cluster start \(cluster.name)` starts them",
            silentEdge: "check that the cluster runs (`k3d cluster list`; its load balancer publishes the edge on port "
                + "\(edgePort)) and that nothing else holds the port (\(whoListens(on: edgePort)))",
            foreignEdge: "another web server answers on port \(edgePort); stop it, or publish the edge on another port")
    }

    /// Each cluster's servers, running and in all, from `k3d cluster list --no-headers`
    /// (clusterList.go PrintClusters: NAME, SERVERS as running/count, AGENTS, LOADBALANCER).
    func listed() async throws -> [String: (running: Int, count: Int)] {
        let output = try await runner.run(
            Command("k3d", ["cluster", "list", "--no-headers"], timeout: .seconds(60)), notFound: ToolRequirements.k3d.missing)
        var clusters: [String: (running: Int, count: Int)] = [:]
        for line in output.standardOutput.split(separator: "\n") {
            let fields = line.split(separator: " ")
            let servers = fields.count > 1 ? fields[1].split(separator: "/").compactMap { Int($0) } : []
            guard servers.count == 2 else { continue }
            clusters[String(fields[0])] = (servers[0], servers[1])
        }
        return clusters
    }
}

extension ToolRequirements {
    /// k3d's row of the version table. A registered backend adds it to `ToolRequirements` and
    /// its `all`; this test-only one declares it here, so `provision --help` stays what users
    /// see. v5 is the first k3d with the flags `ensureCluster` passes (`--k3s-arg`, node filters).
    static let k3d = ToolRequirement(
        tool: "k3d", minimum: "v5.0.0", tested: "v5.9.0 (fakes that answer as it does)",
        install: "install k3d v5.0.0 or newer: https://k3d.io/#installation")
}
