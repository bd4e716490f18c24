import Foundation
import ProvisionCore

/// HTTP checks from the host, through `curl` (run by the ``CommandRunner``) so that
/// tests can answer them and failures carry a command line a user can paste.
public struct HTTPProbe: Sendable {
    public let runner: any CommandRunner

    public init(runner: any CommandRunner) {
        self.runner = runner
    }

    /// GETs `url` and fails unless it answers `status` (whatever the body).
    public func expectStatus(_ status: Int, at url: String, component: ComponentID) async throws {
        let command = Command(
            "curl", ["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", url], timeout: .seconds(20))
        let output = try await runner.execute(command)
        let answered = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard output.exitStatus == 0 else {
            throw Problem(
                problem: "\(component): nothing answers on \(url), where the cluster publishes its ingress",
                fix: "the node's host port mapping does not reach the ingress controller: check that the kind node "
                    + "publishes it (`docker port <cluster>-control-plane`) and that nothing else holds the port "
                    + "(Linux: `sudo ss -ltnp`; macOS: `sudo lsof -nP -iTCP -sTCP:LISTEN`)",
                cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
        }
        guard answered == "\(status)" else {
            throw Problem(
                problem: "\(component): \(url) answered HTTP \(answered), not the ingress controller's \(status)",
                fix: "another web server answers on that port; stop it (Linux: `sudo ss -ltnp`; macOS: "
                    + "`sudo lsof -nP -iTCP -sTCP:LISTEN`) or change hostPort in the kind config")
        }
    }

    /// GETs `url`; fails unless the status is 2xx and, when `expectJSON`, the body is JSON.
    /// - Parameter host: the `Host` header to send, when `url` names the ingress controller's
    ///   address rather than the host its Ingress routes.
    public func get(_ url: String, host: String? = nil, expectJSON: Bool, component: ComponentID) async throws {
        let header = host.map { ["-H", "Host: \($0)"] } ?? []
        let command = Command("curl", ["-fsS", "--max-time", "10"] + header + [url], timeout: .seconds(20))
        let output: CommandOutput
        do {
            output = try await runner.run(command)
        } catch let error as CommandError {
            throw Problem(
                problem: "\(component): \(url) did not answer with success",
                fix: "check that the ingress controller runs and routes the path "
                    + "(`kubectl get ingress -A`), and that nothing else holds port 80 on this host",
                cause: error)
        }
        guard expectJSON else { return }
        let body = Data(output.standardOutput.utf8)
        if (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) == nil {
            let start = output.standardOutput.prefix(200)
            throw Problem(
                problem: "\(component): \(url) answered, but not with JSON (starts with: \(start))",
                fix: "an HTML page usually means the request reached another service or a wrong path; "
                    + "open \(url) in a browser to see what answers")
        }
    }
}
