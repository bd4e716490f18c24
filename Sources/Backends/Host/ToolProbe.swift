import Foundation
import ProcessRunning
import ProvisionCore

/// A tool of the requirements table and how to ask its version.
public struct VersionedTool: Sendable {
    public let requirement: ToolRequirement
    public let versionArguments: [String]
    /// The version in the tool's answer on standard output; empty when there is none.
    public let readVersion: @Sendable (String) -> String

    public init(
        _ requirement: ToolRequirement, versionArguments: [String],
        readVersion: @escaping @Sendable (String) -> String = VersionedTool.firstLine
    ) {
        self.requirement = requirement
        self.versionArguments = versionArguments
        self.readVersion = readVersion
    }

    public var name: String { requirement.tool }

    public static let firstLine: @Sendable (String) -> String = { output in
        output.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    /// "Client Version: v1.37.1" (kubectl 1.28 and later), else the first line.
    public static let kubectl = VersionedTool(ToolRequirements.kubectl, versionArguments: ["version", "--client"]) {
        output in
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if let line = lines.first(where: { $0.hasPrefix("Client Version:") }) {
            return line.dropFirst("Client Version:".count).trimmingCharacters(in: .whitespaces)
        }
        return lines.first ?? ""
    }

    /// `docker version` exits non-zero when only the daemon is missing but still prints the
    /// client version; ``DockerDaemon`` checks the daemon.
    public static let docker = VersionedTool(
        ToolRequirements.docker, versionArguments: ["version", "--format", "{{.Client.Version}}"])
}

/// Asks each tool its version: the versions found, and a problem for each tool that is missing
/// or does not run (all of them, so that preflight lists every problem at once).
public struct ToolProbe: Sendable {
    let runner: any CommandRunner

    public init(runner: any CommandRunner) {
        self.runner = runner
    }

    public func versions(of tools: [VersionedTool]) async -> (versions: [ToolVersion], problems: [Problem]) {
        var versions: [ToolVersion] = []
        var problems: [Problem] = []
        for tool in tools {
            let command = Command(tool.name, tool.versionArguments, timeout: .seconds(30))
            let output: CommandOutput
            do {
                output = try await runner.execute(command)
            } catch let error as CommandError where error.reason == .notFound {
                problems.append(tool.requirement.missing(error))
                continue
            } catch {
                problems.append(Problem(
                    .preflight, problem: "\(tool.name) does not run: \(error)", fix: tool.requirement.install, cause: error))
                continue
            }
            if output.exitStatus == 127 {
                // 127: a shell or a shim found no program behind the name; as good as not installed.
                problems.append(tool.requirement.missing(CommandError(command: command, reason: .exited(127), output: output)))
                continue
            }
            let version = tool.readVersion(output.standardOutput)
            guard !version.isEmpty else {
                problems.append(Problem(
                    .preflight,
                    problem: "\(tool.name) is on PATH but `\(command)` did not print a version",
                    fix: "check that \(tool.name) runs on this machine; reinstall it: \(tool.requirement.install)",
                    cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output)))
                continue
            }
            versions.append(ToolVersion(tool: tool.name, version: version))
        }
        return (versions, problems)
    }

    /// A problem when the version found of `requirement`'s tool is older than its minimum.
    /// - Parameter why: what goes wrong with an older one, after "the oldest this stack supports: ".
    public static func tooOld(_ requirement: ToolRequirement, in versions: [ToolVersion], why: ([Int]) -> String)
        -> Problem?
    {
        guard let found = versions.first(where: { $0.tool == requirement.tool }),
            let number = ToolRequirements.numericVersion(found.version),
            let minimum = ToolRequirements.numericVersion(requirement.minimum),
            number.lexicographicallyPrecedes(minimum)
        else { return nil }
        return Problem(
            .preflight,
            problem: "\(requirement.tool) \(found.version) is older than \(requirement.minimum), the oldest this stack "
                + "supports: " + why(number),
            fix: requirement.install)
    }
}

/// kubectl's version skew policy: one minor version either side of the API server's.
public enum KubectlSkew {
    /// The minor version of `v1.37.1` (major 1 only); nil when unreadable.
    public static func minor(of version: String) -> Int? {
        guard let parts = ToolRequirements.numericVersion(version), parts.count >= 2, parts[0] == 1 else { return nil }
        return parts[1]
    }

    /// A warning when kubectl `client` is more than one minor version from the cluster's
    /// Kubernetes 1.`serverMinor`.
    /// - Parameter server: how the cluster's version is named in the message
    ///   ("the API server (v1.36.2)", "the cluster's Kubernetes 1.37").
    public static func warning(client: String, serverMinor: Int, server: String) -> PreflightWarning? {
        guard let clientMinor = minor(of: client), abs(clientMinor - serverMinor) > 1 else { return nil }
        return PreflightWarning(
            problem: "kubectl \(client) is \(abs(clientMinor - serverMinor)) minor versions away from \(server); "
                + "kubectl supports one minor version either side",
            fix: "install kubectl 1.\(serverMinor - 1) to 1.\(serverMinor + 1): https://kubernetes.io/docs/tasks/tools/")
    }
}
