import Foundation
import ProcessRunning
import ProvisionCore

/// The kubeconfig's contexts, as kubectl reads them: the one place every provider that reaches
/// its cluster through a context lists, reads, switches and restores them. Nothing here talks
/// to a cluster.
public struct KubeconfigContexts: Sendable {
    let runner: any CommandRunner

    static let timeout = Command.localQueryTimeout

    public init(runner: any CommandRunner) {
        self.runner = runner
    }

    /// Every context name (`kubectl config get-contexts -o name`).
    public func names() async throws -> [String] {
        let command = Command("kubectl", ["config", "get-contexts", "-o", "name"], timeout: Self.timeout)
        return try await runner.run(command, notFound: ToolRequirements.kubectl.missing).standardOutput
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// kubectl's current context, or nil when none is set (or kubectl cannot say).
    public func current() async -> String? {
        guard let output = try? await runner.execute(
            Command("kubectl", ["config", "current-context"], timeout: Self.timeout)),
            output.exitStatus == 0
        else { return nil }
        let name = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    /// kubectl's current context, for a backend that deploys where kubectl points when the
    /// user names no context; a problem naming the fix when there is none.
    public func requireCurrent(backend: String) async throws -> String {
        let command = Command("kubectl", ["config", "current-context"], timeout: Self.timeout)
        let output = try await runner.execute(command, notFound: ToolRequirements.kubectl.missing)
        let name = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard output.exitStatus == 0, !name.isEmpty else {
            throw Problem(
                .preflight, problem: "kubectl has no current context to deploy to",
                fix: "name the cluster's context: `provision up --backend \(backend) --context NAME` "
                    + "(`kubectl config get-contexts` lists them)",
                cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
        }
        return name
    }

    /// The API server URL of `context`, or nil when the kubeconfig does not say.
    public func server(of context: String) async -> String? {
        let command = Command(
            "kubectl", ["--context", context, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"],
            timeout: Self.timeout)
        guard let output = try? await runner.execute(command), output.exitStatus == 0 else { return nil }
        let server = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return server.isEmpty ? nil : server
    }

    /// Puts the user's current context back after a cluster tool made `own` the current one
    /// (kind and k3d do when they write the kubeconfig); says what it did, for the step's note.
    /// - Parameters:
    ///   - previous: the current context before the tool ran.
    ///   - tool: the tool that switched it, for the note.
    public func restoreCurrent(_ previous: String?, after tool: String, own: String) async -> [String] {
        guard let previous, previous != own else { return [] }
        guard let now = await current(), now != previous else { return [] }
        let command = Command("kubectl", ["config", "use-context", previous], timeout: Self.timeout)
        if let output = try? await runner.execute(command), output.exitStatus == 0 {
            return ["\(tool) made `\(now)` kubectl's current context; switched it back to `\(previous)` "
                + "(provision names `\(own)` on every call)"]
        }
        return ["\(tool) made `\(now)` kubectl's current context (it was `\(previous)`; `kubectl config use-context "
            + "\(previous)` switches back)"]
    }
}
