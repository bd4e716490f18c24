import Foundation
import ProvisionCore

/// The kind backend's prerequisite checks: the tools, the Docker daemon, the host
/// ports the cluster will publish, and the inotify limits kind documents.
struct KindPreflight: Sendable {
    let runner: any CommandRunner
    let portChecker: any PortChecker
    let procRoot: URL

    /// A tool of the requirements table and how to ask its version.
    struct Tool {
        let requirement: ToolRequirement
        let versionArguments: [String]
        var name: String { requirement.tool }
        var install: String { requirement.install }
    }

    static let tools = [
        Tool(requirement: ToolRequirements.kind, versionArguments: ["version"]),
        Tool(requirement: ToolRequirements.kubectl, versionArguments: ["version", "--client"]),
        Tool(requirement: ToolRequirements.docker, versionArguments: ["version", "--format", "{{.Client.Version}}"]),
    ]

    /// Every tool present, with the version it reports, and a problem for each that is
    /// missing or does not run: all of them, so that preflight can list every problem at once.
    func toolVersions() async -> (versions: [ToolVersion], problems: [Problem]) {
        var versions: [ToolVersion] = []
        var problems: [Problem] = []
        for tool in Self.tools {
            let command = Command(tool.name, tool.versionArguments, timeout: .seconds(30))
            let output: CommandOutput
            do {
                output = try await runner.execute(command)
            } catch let error as CommandError where error.reason == .notFound {
                problems.append(tool.requirement.missing(error))
                continue
            } catch {
                problems.append(Problem(
                    .preflight, problem: "\(tool.name) does not run: \(error)", fix: tool.install, cause: error))
                continue
            }
            if output.exitStatus == 127 {
                // 127: a shell or a shim found no program behind the name; as good as not installed.
                problems.append(tool.requirement.missing(CommandError(command: command, reason: .exited(127), output: output)))
                continue
            }
            // `docker version` exits non-zero when only the daemon is missing but still prints
            // the client version; the daemon gets its own check.
            let version = Self.version(of: tool.name, from: output.standardOutput)
            guard !version.isEmpty else {
                problems.append(Problem(
                    .preflight,
                    problem: "\(tool.name) is on PATH but `\(command)` did not print a version",
                    fix: "check that \(tool.name) runs on this machine; reinstall it: \(tool.install)",
                    cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output)))
                continue
            }
            versions.append(ToolVersion(tool: tool.name, version: version))
        }
        return (versions, problems)
    }

    static func version(of tool: String, from output: String) -> String {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        switch tool {
        case "kubectl":
            // "Client Version: v1.32.4" (newer kubectl) or the old Go-struct format.
            if let line = lines.first(where: { $0.hasPrefix("Client Version:") }) {
                return line.dropFirst("Client Version:".count).trimmingCharacters(in: .whitespaces)
            }
            return lines.first ?? ""
        case "kind":
            // "kind v0.33.0 go1.24.4 linux/amd64"
            let words = (lines.first ?? "").split(separator: " ")
            return words.count > 1 && words[0] == "kind" ? String(words[1]) : (lines.first ?? "")
        default:
            return lines.first ?? ""
        }
    }

    /// `docker info` must reach the daemon: kind runs its nodes as containers. With the daemon
    /// down, `docker info --format ...` prints an empty line and the error on stderr, and exits
    /// 0 before docker 28.1.0 (1 from then on): the empty answer decides, not the status.
    func dockerDaemonProblem() async -> Problem? {
        let command = Command("docker", ["info", "--format", "{{.ServerVersion}}"], timeout: .seconds(30))
        let output: CommandOutput
        do {
            output = try await runner.execute(command)
        } catch {
            return Problem(.preflight, problem: "`\(command)` could not run: \(error)", fix: ToolRequirements.docker.install)
        }
        let serverVersion = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        if output.exitStatus == 0, !serverVersion.isEmpty, !serverVersion.contains("<no value>") { return nil }
        let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
        if failure.combinedOutput.lowercased().contains("permission denied") {
            return Problem(
                .preflight,
                problem: "Docker is running but you may not use it (permission denied on the Docker socket)",
                fix: "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), "
                    + "or run provision with a user that may use Docker",
                cause: failure)
        }
        return Problem(
            .preflight,
            problem: "Docker is not running (the Docker daemon is not reachable)",
            fix: "start Docker Desktop, or on Linux `sudo systemctl start docker`; `docker info` must succeed",
            cause: failure)
    }

    /// Host ports the new cluster will publish must be free: a problem naming the taken ones,
    /// and warnings for those that cannot be checked.
    func checkPorts(of config: KindClusterConfig, configPath: String) -> (problem: Problem?, warnings: [PreflightWarning]) {
        var taken: [Int] = []
        var warnings: [PreflightWarning] = []
        for mapping in config.portMappings where mapping.protocol == "TCP" {
            switch portChecker.availability(ofTCPPort: mapping.hostPort, address: mapping.listenAddress) {
            case .free:
                continue
            case .inUse:
                taken.append(mapping.hostPort)
            case .cannotCheck(let reason):
                warnings.append(PreflightWarning(
                    problem: "cannot check whether port \(mapping.hostPort) is free (\(reason))",
                    fix: "if kind then fails because the port is taken, stop what listens on port \(mapping.hostPort): "
                        + Self.whoListens(on: mapping.hostPort)))
            }
        }
        guard let first = taken.first else { return (nil, warnings) }
        let ports = taken.map(String.init).joined(separator: ", ")
        return (Problem(
            .preflight,
            problem: taken.map { "port \($0) is already allocated" }.joined(separator: ", ")
                + " on this host; kind publishes \(taken.count == 1 ? "it" : "them") for the ingress "
                + "controller (extraPortMappings in \(configPath))",
            fix: "stop what listens on port \(ports) (\(Self.whoListens(on: first))), "
                + "or change hostPort in \(configPath)"), warnings)
    }

    /// How to see what listens on a port, on Linux and on macOS.
    static func whoListens(on port: Int) -> String {
        "Linux: `sudo ss -ltnp 'sport = :\(port)'`; macOS: `sudo lsof -nP -iTCP:\(port) -sTCP:LISTEN`"
    }

    /// kind older than ``ToolRequirements/kind``'s minimum: the pinned node image is built for
    /// that release (and kind before v0.24.0 does not even enforce NetworkPolicies).
    func kindVersionProblem(_ versions: [ToolVersion]) -> Problem? {
        guard let kind = versions.first(where: { $0.tool == "kind" }),
            let found = ToolRequirements.numericVersion(kind.version),
            let minimum = ToolRequirements.numericVersion(ToolRequirements.kind.minimum),
            found.lexicographicallyPrecedes(minimum)
        else { return nil }
        return Problem(
            .preflight,
            problem: "kind \(kind.version) is older than \(ToolRequirements.kind.minimum), the oldest this stack "
                + "supports: the node image in the kind config is built for \(ToolRequirements.kind.minimum)"
                + (found.lexicographicallyPrecedes([0, 24, 0])
                    ? ", and its network plugin would silently ignore the stack's NetworkPolicies" : ""),
            fix: ToolRequirements.kind.install)
    }

    /// kubectl more than one minor version away from the node image's Kubernetes: kubectl's
    /// version skew policy supports one minor version either side.
    func kubectlSkewWarnings(_ versions: [ToolVersion], config: KindClusterConfig?) -> [PreflightWarning] {
        guard let kubectl = versions.first(where: { $0.tool == "kubectl" }),
            let client = ToolRequirements.numericVersion(kubectl.version), client.count >= 2,
            let node = config?.kubernetesVersion, client[0] == node.major, abs(client[1] - node.minor) > 1
        else { return [] }
        return [PreflightWarning(
            problem: "kubectl \(kubectl.version) is \(abs(client[1] - node.minor)) minor versions away from the "
                + "cluster's Kubernetes \(node.major).\(node.minor); kubectl supports one minor version either side",
            fix: "install kubectl \(node.major).\(node.minor - 1) to \(node.major).\(node.minor + 1): "
                + "https://kubernetes.io/docs/tasks/tools/")]
    }

    func inotifyWarnings() -> [PreflightWarning] {
        InotifyLimits.warnings(procRoot: procRoot)
    }
}
