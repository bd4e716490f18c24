import Testing

@Suite("Services and Ingress route to pods that exist")
struct RoutingTests {
    @Test("rendered Services select pods and their ports; Ingress backends exist", arguments: Kustomization.allCases)
    func renderedRoutingIsConsistent(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(ServiceRouting.problems(in: rendering.objects) == [])
        #expect(!rendering.objects(ofKind: "Service").isEmpty)
    }

    @Test("a Service whose selector matches no pod is reported")
    func serviceSelectingNothing() async throws {
        var objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        objects = objects.replacing("Service", "redis") { $0.setting("spec.selector.app", to: "rediss") }
        #expect(ServiceRouting.problems(in: objects).contains { $0.contains("Service/staging-infra/redis selects no pod") })
    }

    @Test("a Service targeting a port no pod declares is reported")
    func serviceTargetingMissingPort() async throws {
        var objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        objects = objects.replacing("Service", "authentik-server") { $0.setting("spec.ports.1.targetPort", to: "htps") }
        #expect(ServiceRouting.problems(in: objects) == [
            "Service/staging-infra/authentik-server targets port 'htps', which no selected pod declares",
        ])
        objects = objects.replacing("Service", "postgres") { $0.setting("spec.ports.0.targetPort", to: 5433) }
        #expect(ServiceRouting.problems(in: objects).contains {
            $0 == "Service/staging-infra/postgres targets port 5433, which no selected pod declares"
        })
    }

    @Test("an Ingress routing to a missing Service or port is reported")
    func ingressWithMissingBackend() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localIngressNginxOverlay).objects
        let wrongPort = objects.replacing("Ingress", "authentik") {
            $0.setting("spec.rules.0.http.paths.0.backend.service.port.number", to: 9001)
        }
        #expect(ServiceRouting.problems(in: wrongPort) == [
            "Ingress/staging-infra/authentik routes to Service/staging-infra/authentik-server port 9001, which the Service does not have",
        ])
        let wrongService = objects.replacing("Ingress", "authentik") {
            $0.setting("spec.rules.0.http.paths.0.backend.service.name", to: "authentik")
        }
        #expect(ServiceRouting.problems(in: wrongService) == [
            "Ingress/staging-infra/authentik routes to Service authentik, which is not rendered in its namespace",
        ])
    }

    @Test("an HTTPRoute to a missing Service, port, Gateway or listener, or from a namespace the Gateway refuses, is reported")
    func routeProblemsAreReported() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let route = "HTTPRoute/staging-infra/authentik"
        func problems(_ path: String, _ value: Any, in kind: String = "HTTPRoute", _ name: String = "authentik") -> [String] {
            ServiceRouting.problems(in: objects.replacing(kind, name) { $0.setting(path, to: value) })
        }
        #expect(problems("spec.rules.0.backendRefs.0.port", 9001)
            == ["\(route) routes to Service/staging-infra/authentik-server port 9001, which the Service does not have"])
        #expect(problems("spec.rules.0.backendRefs.0.name", "authentik")
            == ["\(route) routes to Service authentik, which is not rendered in its namespace"])
        #expect(problems("spec.parentRefs.0.name", "edge") == ["\(route) attaches to Gateway nginx-gateway/edge, which is not rendered"])
        #expect(problems("spec.parentRefs.0.sectionName", "https")
            == ["\(route) attaches to listener https of Gateway/nginx-gateway/wrightnow, which has no such listener"])
        #expect(problems("metadata.labels.environment", "production", in: "Namespace", "staging-infra").contains {
            $0.hasPrefix("\(route)'s namespace does not carry the labels Gateway/nginx-gateway/wrightnow lets routes attach from")
        })
    }

    /// The seed's Ingress and the default HTTPRoute are two spellings of one route: the same
    /// host, path (a prefix, never rewritten) and backend, so switching edges changes nothing
    /// a user of http://localhost/auth/ sees.
    @Test("the /auth/ route is the same on both edges: host, path prefix and backend")
    func routeTwinsAgree() async throws {
        let gatewayAPI = try #require(
            try await RenderCache.shared.rendering(of: .localOverlay).object("HTTPRoute", "authentik"))
        let seed = try #require(
            try await RenderCache.shared.rendering(of: .localIngressNginxOverlay).object("Ingress", "authentik"))
        let routeMatch = Tree.dictionary(Tree.value(gatewayAPI.spec, at: "rules.0.matches.0.path"))
        let routeBackend = Tree.dictionary(Tree.value(gatewayAPI.spec, at: "rules.0.backendRefs.0"))
        let rule = Tree.dictionary(Tree.value(seed.spec, at: "rules.0"))
        let path = Tree.dictionary(Tree.value(rule, at: "http.paths.0"))
        #expect(Tree.array(gatewayAPI.spec["hostnames"]).compactMap(Tree.string) == [Tree.string(rule["host"]) ?? ""])
        #expect(Tree.string(routeMatch["type"]) == "PathPrefix" && Tree.string(path["pathType"]) == "Prefix")
        #expect(Tree.string(routeMatch["value"]) == Tree.string(path["path"]))
        #expect(Tree.string(routeBackend["name"]) == Tree.string(Tree.value(path, at: "backend.service.name")))
        #expect(Tree.int(routeBackend["port"]) == Tree.int(Tree.value(path, at: "backend.service.port.number")))
        #expect(gatewayAPI.namespace == seed.namespace)
        // No rewrite on either: authentik serves everything under its own /auth/ prefix.
        #expect(Tree.array(Tree.value(gatewayAPI.spec, at: "rules.0.filters")).isEmpty)
        #expect(!Tree.stringDictionary(seed.metadata["annotations"]).keys.contains { $0.contains("rewrite") })
    }
}

extension Array where Element == KubeObject {
    /// A copy with the object `kind`/`name` replaced by `edit(object)`; fails loudly when absent.
    func replacing(_ kind: String, _ name: String, _ edit: (KubeObject) -> KubeObject) -> [KubeObject] {
        precondition(contains { $0.kind == kind && $0.name == name }, "no \(kind) \(name) rendered")
        return map { $0.kind == kind && $0.name == name ? edit($0) : $0 }
    }
}
