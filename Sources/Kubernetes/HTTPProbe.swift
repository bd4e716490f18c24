import Foundation
import ProcessRunning
import ProvisionCore

/// HTTP checks from the host, through `curl` (run by the ``CommandRunner``) so that
/// tests can answer them and failures carry a command line a user can paste.
public struct HTTPProbe: Sendable {
    public let runner: any CommandRunner
    /// The provider's advice when its published edge is silent or foreign.
    public let remedies: ClusterRemedies
    /// The kubeconfig context of the cluster, for the kubectl commands a fix suggests.
    public let context: String?

    public init(runner: any CommandRunner, remedies: ClusterRemedies = ClusterRemedies(), context: String? = nil) {
        self.runner = runner
        self.remedies = remedies
        self.context = context
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
                fix: remedies.silentEdge
                    ?? "check that the cluster publishes its edge there and that nothing else holds the port "
                        + "(Linux: `sudo ss -ltnp`; macOS: `sudo lsof -nP -iTCP -sTCP:LISTEN`)",
                cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
        }
        guard answered == "\(status)" else {
            throw Problem(
                problem: "\(component): \(url) answered HTTP \(answered), not the ingress controller's \(status)",
                fix: remedies.foreignEdge
                    ?? "another web server answers on that port; stop it (Linux: `sudo ss -ltnp`; macOS: "
                        + "`sudo lsof -nP -iTCP -sTCP:LISTEN`)")
        }
    }

    /// GETs `url`; fails unless the status is 2xx and, when `expectJSON`, the body is JSON.
    /// - Parameter host: the `Host` header to send, when `url` names the ingress controller's
    ///   address rather than the host its Ingress routes.
    /// - Returns: the body.
    @discardableResult
    public func get(_ url: String, host: String? = nil, expectJSON: Bool, component: ComponentID) async throws -> String {
        let header = host.map { ["-H", "Host: \($0)"] } ?? []
        let command = Command("curl", ["-fsS", "--max-time", "10"] + header + [url], timeout: .seconds(20))
        let output: CommandOutput
        do {
            output = try await runner.run(command)
        } catch let error as CommandError {
            throw Problem(
                problem: "\(component): \(url) did not answer with success",
                fix: "check that the edge runs and routes the path (`\(kubectl) get httproutes -A` with the "
                    + "Gateway API edge, `\(kubectl) get ingresses -A` with ingress-nginx), and that nothing else "
                    + "answers at that address",
                cause: error)
        }
        guard expectJSON else { return output.standardOutput }
        let body = Data(output.standardOutput.utf8)
        if (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) == nil {
            let start = output.standardOutput.prefix(200)
            throw Problem(
                problem: "\(component): \(url) answered, but not with JSON (starts with: \(start))",
                fix: "an HTML page usually means the request reached another service or a wrong path; "
                    + "open \(url) in a browser to see what answers")
        }
        return output.standardOutput
    }

    /// GETs the page at `url` and loads it as a browser would start to: every script and
    /// stylesheet it references must lie under the page's first path segment (`/auth/` for
    /// `http://localhost/auth/if/flow/initial-setup/`), and the first of each must answer 2xx.
    public func loadPage(_ url: String, host: String? = nil, component: ComponentID) async throws {
        let page = try await get(url, host: host, expectJSON: false, component: component)
        guard let base = URLComponents(string: url) else { return }
        let segment = base.path.split(separator: "/").first.map { "/\($0)/" } ?? "/"
        let assets = WebPageAssets(html: page)
        guard !assets.all.isEmpty else {
            throw Problem(
                problem: "\(component): \(url) answered, but references no script or stylesheet "
                    + "(starts with: \(page.prefix(200)))",
                fix: "open \(url) in a browser to see what answers there")
        }
        let outside = assets.all.filter { !$0.hasPrefix(segment) && !$0.hasPrefix("http") }
        guard outside.isEmpty else {
            throw Problem(
                problem: "\(component): \(url) references \(outside.joined(separator: ", ")), outside \(segment): "
                    + "the page is served under \(segment), but its assets are not, so a browser gets a blank page",
                fix: "the application does not apply its sub-path to its assets; serve it on a host of its own "
                    + "(docs/seed-deviations.md, authentik's sub-path)")
        }
        for asset in [assets.scripts.first, assets.stylesheets.first].compactMap({ $0 }) where !asset.hasPrefix("http") {
            var target = base
            target.percentEncodedPath = String(asset.prefix { $0 != "?" })
            target.percentEncodedQuery = asset.contains("?") ? String(asset.drop { $0 != "?" }.dropFirst()) : nil
            try await get(target.string ?? url, host: host, expectJSON: false, component: component)
        }
    }
}

/// The scripts and stylesheets an HTML page references, in page order (`<script src>`,
/// `<link rel="stylesheet" href>`), as written: absolute paths or URLs.
struct WebPageAssets {
    var scripts: [String]
    var stylesheets: [String]
    var all: [String] { scripts + stylesheets }

    init(html: String) {
        scripts = html.matches(of: /<script\b[^>]*?\ssrc="([^"]+)"/).map { String($0.1) }
        stylesheets = html.matches(of: /<link\b[^>]*>/).compactMap { tag -> String? in
            let text = String(tag.0)
            guard text.contains(#"rel="stylesheet""#), let href = text.firstMatch(of: /\shref="([^"]+)"/) else { return nil }
            return String(href.1)
        }
    }
}

extension HTTPProbe {
    /// `kubectl --context X`, as a fix names it: the context the run used, not the current one.
    fileprivate var kubectl: String { context.map { "kubectl --context \($0)" } ?? "kubectl" }
}
