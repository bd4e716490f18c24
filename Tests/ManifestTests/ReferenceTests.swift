import Components
import Testing

@Suite("ConfigMaps, Secrets and claims that pods use exist")
struct ReferenceTests {
    @Test("every reference is rendered or documented as created at deploy time", arguments: Kustomization.allCases)
    func renderedReferencesResolve(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(References.problems(in: rendering.objects, documentedSecrets: try References.documentedSecrets()) == [])
    }

    @Test("the documented Secrets are exactly the ones the registered components generate, where they generate them")
    func documentedSecrets() throws {
        let documented = try References.documentedSecrets()
        let declared = StackCatalog.all.flatMap(\.secrets)
        #expect(Set(documented.map { "\($0.namespace)/\($0.name)" }) == Set(declared.map { "\($0.namespace)/\($0.name)" }))
    }

    @Test("a Secret key documented nowhere is reported")
    func undocumentedSecretKey() async throws {
        var objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        objects = objects.replacing("StatefulSet", "postgres") {
            $0.setting("spec.template.spec.containers.0.env.1.valueFrom.secretKeyRef.key", to: "POSTGRES_PASS")
        }
        #expect(References.problems(in: objects, documentedSecrets: try References.documentedSecrets()) == [
            "StatefulSet/staging-infra/postgres container postgres env POSTGRES_PASSWORD: Secret postgres-credentials has no key POSTGRES_PASS (rendered or documented)",
        ])
    }

    @Test("a Secret without secrets.example.yaml is reported")
    func undocumentedSecret() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let problems = References.problems(in: objects, documentedSecrets: [])
        #expect(problems.contains(
            "Deployment/staging-infra/redis container redis env REDIS_PASSWORD: Secret redis-credentials is neither rendered nor documented in a secrets.example.yaml"))
    }

    @Test("a missing ConfigMap key, ConfigMap or claim is reported")
    func missingConfigMapAndClaim() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let documented = try References.documentedSecrets()
        let wrongKey = objects.replacing("StatefulSet", "postgres") {
            $0.setting("spec.template.spec.volumes.0.configMap.items.0.key", to: "init.sh")
        }
        #expect(References.problems(in: wrongKey, documentedSecrets: documented) == [
            "StatefulSet/staging-infra/postgres volume init-scripts: ConfigMap postgres-config has no key init.sh",
        ])
        let noConfigMap = objects.filter { !($0.kind == "ConfigMap" && $0.name == "authentik-config") }
        #expect(References.problems(in: noConfigMap, documentedSecrets: documented).contains(
            "Deployment/staging-infra/authentik-server container server envFrom: ConfigMap authentik-config is not rendered in staging-infra"))
        let wrongClaim = objects.replacing("Deployment", "redis") {
            $0.setting("spec.template.spec.volumes.0.persistentVolumeClaim.claimName", to: "redis")
        }
        #expect(References.problems(in: wrongClaim, documentedSecrets: documented) == [
            "Deployment/staging-infra/redis volume data: PersistentVolumeClaim redis is not rendered in staging-infra",
        ])
    }
}
