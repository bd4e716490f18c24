import Foundation
import ProvisionCore

/// The kind backend's prerequisite checks: the tools, the Docker daemon, the host
/// ports the cluster will publish, and the inotify limits kind documents.
struct KindPreflight: Sendable {
    let runner: any CommandRunner
    let portChecker: any PortChecker
    let procRoot: URL

    struct Tool {
        let name: String
        let versionArguments: [String]
        let install: String
    }

    static let tools = [
        Tool(
            name: "kind", versionArguments: ["version"],
            install: "install kind (v0.24 or newer): https://kind.sigs.k8s.io/docs/user/quick-start/#installation"),
        Tool(
            name: "kubectl", versionArguments: ["version", "--client"],
            install: "install kubectl: https://kubernetes.io/docs/tasks/tools/"),
        Tool(
            name: "docker", versionArguments: ["version", "--format", "{{.Client.Version}}"],
            install: "install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop"),
    ]

    /// Every tool present, with the version it reports.
    func toolVersions() async throws -> [ToolVersion] {
        var versions: [ToolVersion] = []
        for tool in Self.tools {
            let command = Command(tool.name, tool.versionArguments, timeout: .seconds(30))
            let output: CommandOutput
            do {
                output = try await runner.execute(command)
            } catch let error as CommandError where error.reason == .notFound {
                throw Problem(problem: "\(tool.name) is not installed (not found on PATH)", fix: tool.install, cause: error)
            }
            if output.exitStatus == 127 {
                throw Problem(
                    problem: "\(tool.name) is not installed (not found on PATH)", fix: tool.install,
                    cause: CommandError(command: command, reason: .exited(127), output: output))
            }
            // `docker version` exits non-zero when only the daemon is missing but still prints
            // the client version; the daemon gets its own check below.
            let version = Self.version(of: tool.name, from: output.standardOutput)
            guard !version.isEmpty else {
                throw Problem(
                    problem: "\(tool.name) is on PATH but `\(command)` did not print a version",
                    fix: "check that \(tool.name) runs on this machine; reinstall it: \(tool.install)",
                    cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
            }
            versions.append(ToolVersion(tool: tool.name, version: version))
        }
        return versions
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

    /// `docker info` must reach the daemon: kind runs its nodes as containers.
    func checkDockerDaemon() async throws {
        let command = Command("docker", ["info", "--format", "{{.ServerVersion}}"], timeout: .seconds(30))
        let output = try await runner.execute(command)
        let serverVersion = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        if output.exitStatus == 0, !serverVersion.isEmpty, !serverVersion.contains("<no value>") { return }
        let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
        if failure.combinedOutput.lowercased().contains("permission denied") {
            throw Problem(
                problem: "Docker is running but you may not use it (permission denied on the Docker socket)",
                fix: "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), "
                    + "or run provision with a user that may use Docker",
                cause: failure)
        }
        throw Problem(
            problem: "Docker is not running (the Docker daemon is not reachable)",
            fix: "start Docker Desktop, or on Linux `sudo systemctl start docker`; `docker info` must succeed",
            cause: failure)
    }

    /// Host ports the new cluster will publish must be free; warnings for those that cannot be checked.
    func checkPorts(of config: KindClusterConfig, configPath: String) throws -> [PreflightWarning] {
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
                    fix: "if kind then fails with \"port is already allocated\", stop what listens on "
                        + "port \(mapping.hostPort) (`sudo ss -ltnp 'sport = :\(mapping.hostPort)'`)"))
            }
        }
        guard taken.isEmpty else {
            let ports = taken.map(String.init).joined(separator: ", ")
            throw Problem(
                problem: taken.map { "port \($0) is already allocated" }.joined(separator: ", ")
                    + " on this host; kind publishes \(taken.count == 1 ? "it" : "them") for the ingress "
                    + "controller (extraPortMappings in \(configPath))",
                fix: "stop what listens on port \(ports) (Linux: `sudo ss -ltnp 'sport = :\(taken[0])'`, "
                    + "macOS: `sudo lsof -nP -iTCP:\(taken[0]) -sTCP:LISTEN` shows it), "
                    + "or change hostPort in \(configPath)")
        }
        return warnings
    }

    /// kind releases before v0.24.0 ship a kindnet that ignores NetworkPolicy objects, so the
    /// stack's default-deny policies would be accepted but not enforced.
    static let networkPolicyKindVersion = [0, 24, 0]

    func kindVersionWarnings(_ versions: [ToolVersion]) -> [PreflightWarning] {
        guard let kind = versions.first(where: { $0.tool == "kind" }),
            let found = Self.numericVersion(kind.version),
            found.lexicographicallyPrecedes(Self.networkPolicyKindVersion)
        else { return [] }
        return [PreflightWarning(
            problem: "kind \(kind.version) is older than v0.24.0: its network plugin does not enforce "
                + "NetworkPolicies, so the stack's isolation rules would be silently ignored",
            fix: "install a current kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation")]
    }

    /// `v0.33.0` -> [0, 33, 0]; nil when the text is not a version.
    static func numericVersion(_ text: String) -> [Int]? {
        let digits = text.drop { $0 == "v" }.prefix { $0.isNumber || $0 == "." }
        let parts = digits.split(separator: ".").compactMap { Int($0) }
        return parts.isEmpty ? nil : parts
    }

    func inotifyWarnings() -> [PreflightWarning] {
        InotifyLimits.warnings(procRoot: procRoot)
    }
}
