import Foundation
import ProvisionCore

/// HTTP checks from the host, through `curl` (run by the ``CommandRunner``) so that
/// tests can answer them and failures carry a command line a user can paste.
public struct HTTPProbe: Sendable {
    public let runner: any CommandRunner

    public init(runner: any CommandRunner) {
        self.runner = runner
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
