import Components
import Foundation
import ProvisionCore
import Testing

@Suite("authentik's sub-path is the same everywhere")
struct AuthentikPathTests {
    /// What provision requests and prints for authentik.
    static var checkedURLs: [String] {
        let component = AuthentikComponent()
        let smoke = component.smokeChecks.compactMap { check -> String? in
            switch check {
            case .httpGet(let url, _), .webPage(let url): return url
            default: return nil
            }
        }
        let notes = component.accessNotes.compactMap { note -> String? in
            if case .text(let text) = note.value, text.hasPrefix("http") { return text }
            return nil
        }
        return smoke + notes
    }

    static func problems(_ objects: [KubeObject]) -> [String] {
        AuthentikPath.problems(in: objects, externalURL: AuthentikComponent.url, checkedURLs: checkedURLs)
    }

    /// provision sends its smoke checks to the address the edge publishes for authentik's route,
    /// with the route's host (overlays/cluster sets its own), so its URLs are checked on that host.
    static func onHost(_ url: String, of objects: [KubeObject]) -> String {
        let route = objects.first { ["HTTPRoute", "Ingress"].contains($0.kind) && $0.name == "authentik" }
        let host = route.flatMap { route in
            route.kind == "HTTPRoute"
                ? Tree.array(route.spec["hostnames"]).compactMap(Tree.string).first
                : Tree.string(Tree.value(route.spec, at: "rules.0.host"))
        }
        guard let host, var components = URLComponents(string: url) else { return url }
        components.host = host
        return components.string ?? url
    }

    /// The kustomizations with an edge (each overlay selects one); k8s/base has none.
    static let withEdge: [Kustomization] = [.localOverlay, .clusterOverlay, .localIngressNginxOverlay]

    @Test("every kustomization with an edge is checked here")
    func everyEdgeIsChecked() async throws {
        for kustomization in Kustomization.allCases where !Self.withEdge.contains(kustomization) {
            let objects = try await RenderCache.shared.rendering(of: kustomization).objects
            #expect(!objects.contains { ["HTTPRoute", "Ingress"].contains($0.kind) }, "\(kustomization) renders a route")
        }
    }

    @Test("setting, base URL, route, probes and provision's URLs agree", arguments: AuthentikPathTests.withEdge)
    func pathsAgree(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(Self.checkedURLs.count >= 2, "expected provision's smoke URL and the printed URLs")
        let objects = rendering.objects
        #expect(AuthentikPath.problems(
            in: objects, externalURL: Self.onHost(AuthentikComponent.url, of: objects),
            checkedURLs: Self.checkedURLs.map { Self.onHost($0, of: objects) }) == [])
    }

    @Test("a URLRewrite filter on the authentik HTTPRoute is reported")
    func urlRewriteIsReported() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects.replacing("HTTPRoute", "authentik") {
            $0.setting("spec.rules.0.filters", to: [["type": "URLRewrite", "urlRewrite": ["path": [
                "type": "ReplacePrefixMatch", "replacePrefixMatch": "/"]]]])
        }
        #expect(Self.problems(broken) == [
            "HTTPRoute/staging-infra/authentik has a URLRewrite filter: the prefix /auth/ must reach authentik unchanged",
        ])
    }

    @Test("a rewrite-target on the authentik Ingress is reported")
    func rewriteTargetIsReported() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localIngressNginxOverlay).objects
        let broken = objects.replacing("Ingress", "authentik") {
            $0.setting("metadata.annotations", to: ["nginx.ingress.kubernetes.io/rewrite-target": "/"])
        }
        #expect(Self.problems(broken) == [
            "Ingress/staging-infra/authentik has nginx.ingress.kubernetes.io/rewrite-target: the prefix /auth/ must reach authentik unchanged",
        ])
    }

    @Test("AUTHENTIK_WEB__PATH changed alone is reported against the route, the probes and the URLs")
    func pathChangedAloneIsReported() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects.replacing("ConfigMap", "authentik-config") { $0.setting("data.AUTHENTIK_WEB__PATH", to: "/") }
        let problems = Self.problems(broken)
        #expect(problems.contains("AUTHENTIK_WEB__PATH is / but authentik is reached at http://localhost/auth/"))
        #expect(problems.contains(
            "HTTPRoute/staging-infra/authentik routes /auth/ to authentik-server, but AUTHENTIK_WEB__PATH is / (as a PathPrefix)"))
        #expect(problems.contains(
            "Deployment/staging-infra/authentik-server container server readinessProbe requests /auth/-/health/ready/, not /-/health/…"))

        // The other way round: the setting keeps /auth/, a probe and provision's URL drift.
        let drifted = objects.replacing("Deployment", "authentik-server") {
            $0.setting("spec.template.spec.containers.0.readinessProbe.httpGet.path", to: "/-/health/ready/")
        }
        let driftProblems = AuthentikPath.problems(
            in: drifted, externalURL: AuthentikComponent.url, checkedURLs: ["http://localhost/api/v3/root/config/"])
        #expect(driftProblems == [
            "Deployment/staging-infra/authentik-server container server readinessProbe requests /-/health/ready/, not /auth/-/health/…",
            "provision uses http://localhost/api/v3/root/config/, outside http://localhost/auth/",
        ])
    }

    @Test("a base URL with a path, or none, is reported")
    func baseURLIsChecked() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let withPath = objects.replacing("ConfigMap", "authentik-config") {
            $0.setting("data.AUTHENTIK_WEB__BASE_URL", to: "http://localhost/auth/")
        }
        #expect(Self.problems(withPath) == [
            "AUTHENTIK_WEB__BASE_URL is http://localhost/auth/, expected http://localhost (scheme and host, no path)",
        ])
        let missing = objects.replacing("ConfigMap", "authentik-config") { $0.setting("data.AUTHENTIK_WEB__BASE_URL", to: nil) }
        #expect(Self.problems(missing) == [
            "AUTHENTIK_WEB__BASE_URL is not set, expected http://localhost (scheme and host, no path)",
        ])
    }
}
