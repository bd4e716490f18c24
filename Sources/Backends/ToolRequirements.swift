import Foundation
import ProcessRunning
import ProvisionCore

/// The one table of the tools `provision` needs: the oldest version it accepts, the versions
/// it was tested with and where, and how to install it. `provision --help` prints the minimums
/// and where to get each tool; README.md and docs/kubernetes-setup.md hold blocks generated
/// from this table.
public struct ToolRequirement: Sendable, Hashable {
    public var tool: String
    /// The oldest version accepted, as the tool prints it, or a rule.
    public var minimum: String
    /// What was tested, and where; honest about what ran against fakes only.
    public var tested: String
    public var install: String

    public init(tool: String, minimum: String, tested: String, install: String) {
        self.tool = tool
        self.minimum = minimum
        self.tested = tested
        self.install = install
    }

    /// The preflight problem of the tool not being found on PATH, with the way to install it.
    public func missing(_ error: CommandError) -> Problem {
        Problem(.preflight, problem: "\(tool) is not installed (not found on PATH)", fix: install, cause: error)
    }
}

public enum ToolRequirements {
    /// The node image pinned in the kind config is built for this kind release (kind requires
    /// node images built for the release that runs them), and kind v0.24.0 is the first whose
    /// kindnet enforces NetworkPolicies. Older: preflight stops.
    public static let kind = ToolRequirement(
        tool: "kind", minimum: "v0.33.0",
        tested: "v0.33.0 (fakes that answer as it does; the real-cluster workflow, not run yet)",
        install: "install kind v0.33.0 or newer: https://kind.sigs.k8s.io/docs/user/quick-start/#installation")

    /// One minor version either side of the node's Kubernetes (1.37): kubectl's version skew
    /// policy. Outside it: a warning.
    public static let kubectl = ToolRequirement(
        tool: "kubectl", minimum: "v1.36 (the node's Kubernetes 1.37, one minor either side: 1.36 to 1.38)",
        tested: "v1.37.1 offline (rendering, flags); v1.37.1 in the real-cluster workflow, not run yet",
        install: "install kubectl: https://kubernetes.io/docs/tasks/tools/")

    public static let docker = ToolRequirement(
        tool: "docker", minimum: "none checked",
        tested: "28.2.2 and 27.5.1 (fakes that answer as they do); no Docker daemon here",
        install: "install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop")

    public static let swift = ToolRequirement(
        tool: "swift", minimum: "6.3",
        tested: "6.3.1 (Linux here; macOS in CI, not run yet)",
        install: "install Swift 6.3: https://www.swift.org/install/")

    public static let all = [kind, kubectl, docker, swift]

    /// `v0.33.0` -> [0, 33, 0]; nil when the text is not a version.
    public static func numericVersion(_ text: String) -> [Int]? {
        let digits = text.drop { $0 == "v" }.prefix { $0.isNumber || $0 == "." }
        let parts = digits.split(separator: ".").compactMap { Int($0) }
        return parts.isEmpty ? nil : parts
    }
}
