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
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
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
}

extension Array where Element == KubeObject {
    /// A copy with the object `kind`/`name` replaced by `edit(object)`; fails loudly when absent.
    func replacing(_ kind: String, _ name: String, _ edit: (KubeObject) -> KubeObject) -> [KubeObject] {
        precondition(contains { $0.kind == kind && $0.name == name }, "no \(kind) \(name) rendered")
        return map { $0.kind == kind && $0.name == name ? edit($0) : $0 }
    }
}
