import Foundation
import ProvisionCore

/// What only kind needs checked before a run: its own version (the node image is built for a
/// kind release), the host ports its config publishes, and the inotify limits it documents.
/// The tools, the Docker daemon and kubectl's skew are the shared host checks (`Host/`).
struct KindPreflight: Sendable {
    let portChecker: any PortChecker
    let procRoot: URL

    /// The tools kind's clusters need, in the order preflight reports them.
    static let tools: [VersionedTool] = [.kind, .kubectl, .docker]

    /// kind older than ``ToolRequirements/kind``'s minimum: the pinned node image is built for
    /// that release (and kind before v0.24.0 does not even enforce NetworkPolicies).
    func kindVersionProblem(_ versions: [ToolVersion]) -> Problem? {
        ToolProbe.tooOld(ToolRequirements.kind, in: versions) { found in
            "the node image in the kind config is built for \(ToolRequirements.kind.minimum)"
                + (found.lexicographicallyPrecedes([0, 24, 0])
                    ? ", and its network plugin would silently ignore the stack's NetworkPolicies" : "")
        }
    }

    /// Host ports the new cluster will publish must be free.
    func checkPorts(of config: KindClusterConfig, configPath: String) -> (problem: Problem?, warnings: [PreflightWarning]) {
        let ports = config.portMappings.filter { $0.protocol == "TCP" }
            .map { PublishedPort(port: $0.hostPort, address: $0.listenAddress) }
        return portChecker.check(
            ports,
            publisher: { count in
                "kind publishes \(count == 1 ? "it" : "them") for the ingress controller (extraPortMappings in \(configPath))"
            },
            otherPort: "change hostPort in \(configPath)")
    }

    /// kubectl more than one minor version away from the node image's Kubernetes.
    func kubectlSkewWarnings(_ versions: [ToolVersion], config: KindClusterConfig?) -> [PreflightWarning] {
        guard let kubectl = versions.first(where: { $0.tool == "kubectl" }), let node = config?.kubernetesVersion,
            node.major == 1,
            let warning = KubectlSkew.warning(
                client: kubectl.version, serverMinor: node.minor, server: "the cluster's Kubernetes 1.\(node.minor)")
        else { return [] }
        return [warning]
    }

    func inotifyWarnings() -> [PreflightWarning] {
        InotifyLimits.warnings(procRoot: procRoot)
    }
}

extension VersionedTool {
    /// "kind v0.33.0 go1.24.4 linux/amd64" (kind's version/version.go).
    static let kind = VersionedTool(ToolRequirements.kind, versionArguments: ["version"]) { output in
        let line = VersionedTool.firstLine(output)
        let words = line.split(separator: " ")
        return words.count > 1 && words[0] == "kind" ? String(words[1]) : line
    }
}
