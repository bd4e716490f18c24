import Foundation
import ProvisionCore
import Testing
import TestSupport

@testable import Kubernetes

/// The web-page smoke check: a UI served under a sub-path must reference its assets under it.
@Suite("a web page loads as a browser loads it")
struct WebPageTests {
    static let url = "http://localhost/auth/if/flow/initial-setup/"

    /// The head of an authentik page (authentik/core/templates/base/skeleton.html: a stylesheet
    /// link, then the module scripts), with its static files under `static`.
    static func page(static prefix: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="UTF-8">
        <link rel="stylesheet" type="text/css" href="\(prefix)/dist/styles/interface-2026.8.7.css" />
        <script src="\(prefix)/dist/poly-2026.8.7.js" type="module"></script>
        <link rel="modulepreload" href="\(prefix)/dist/locales/en.js">
        <script src="\(prefix)/dist/flow/FlowInterface-2026.8.7.js?v=1" type="module"></script>
        </head><body></body></html>
        """
    }

    @Test("a page whose assets are under its sub-path loads: the page, its first script and its first stylesheet")
    func assetsUnderTheSubPath() async throws {
        let runner = ScriptedRunner()
        runner.on("curl", containing: [Self.url], answers: .output(stdout: Self.page(static: "/auth/static")))
        runner.on("curl", prefix: [], answers: [.output(stdout: "/* asset */")])
        try await HTTPProbe(runner: runner).loadPage(Self.url, component: "authentik")
        #expect(runner.commandLines == [
            "curl -fsS --max-time 10 \(Self.url)",
            "curl -fsS --max-time 10 http://localhost/auth/static/dist/poly-2026.8.7.js",
            "curl -fsS --max-time 10 http://localhost/auth/static/dist/styles/interface-2026.8.7.css",
        ])
        let assets = WebPageAssets(html: Self.page(static: "/auth/static"))
        #expect(assets.scripts == ["/auth/static/dist/poly-2026.8.7.js", "/auth/static/dist/flow/FlowInterface-2026.8.7.js?v=1"])
        #expect(assets.stylesheets == ["/auth/static/dist/styles/interface-2026.8.7.css"], "a modulepreload is no stylesheet")
    }

    @Test("assets outside the sub-path fail with the page, the assets and the way out")
    func assetsOutsideTheSubPath() async throws {
        let runner = ScriptedRunner()
        runner.on("curl", prefix: [], answers: [.output(stdout: Self.page(static: "/static"))])
        let error = await #expect(throws: Problem.self) {
            try await HTTPProbe(runner: runner).loadPage(Self.url, component: "authentik")
        }
        #expect(error?.problem.contains("/static/dist/poly-2026.8.7.js") == true && error?.problem.contains("outside /auth/") == true,
                "\(String(describing: error))")
        #expect(error?.fix.contains("host of its own") == true)
        #expect(runner.commandLines.count == 1, "no asset is fetched once the page is wrong")
    }

    @Test("a page without scripts or stylesheets, or an asset that does not answer, fails")
    func emptyPageOrMissingAsset() async throws {
        let empty = ScriptedRunner()
        empty.on("curl", prefix: [], answers: [.output(stdout: "<html><body>Not Found</body></html>")])
        await #expect(throws: Problem.self) { try await HTTPProbe(runner: empty).loadPage(Self.url, component: "authentik") }

        let missing = ScriptedRunner()
        missing.on("curl", containing: [Self.url], answers: .output(stdout: Self.page(static: "/auth/static")))
        missing.on("curl", prefix: [], answers: [
            .output(exit: 22, stderr: "curl: (22) The requested URL returned error: 404\n"),
        ])
        let error = await #expect(throws: Problem.self) {
            try await HTTPProbe(runner: missing).loadPage(Self.url, component: "authentik")
        }
        #expect(error?.problem.contains("poly-2026.8.7.js did not answer with success") == true, "\(String(describing: error))")
    }
}
