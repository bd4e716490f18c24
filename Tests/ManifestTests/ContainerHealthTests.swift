import Testing

@Suite("Containers declare resources and probes")
struct ContainerHealthTests {
    @Test("every container has requests, limits and probes", arguments: Kustomization.allCases)
    func renderedContainersAreComplete(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(ContainerHealth.problems(in: rendering.objects) == [])
    }

    @Test("a missing probe or limit is reported")
    func missingProbeAndLimit() async throws {
        var objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        objects = objects.replacing("Deployment", "authentik-worker") {
            $0.setting("spec.template.spec.containers.0.livenessProbe", to: nil)
                .setting("spec.template.spec.containers.0.resources.limits.cpu", to: nil)
        }
        #expect(ContainerHealth.problems(in: objects) == [
            "Deployment/staging-infra/authentik-worker container worker has no cpu limits",
            "Deployment/staging-infra/authentik-worker container worker has no livenessProbe (or add a reason in the wrightnow/probes-exception annotation)",
        ])
    }

    @Test("a written exception excuses missing probes, never missing resources")
    func exceptionNeedsAReason() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let noProbes = objects.replacing("Deployment", "authentik-worker") {
            $0.setting("spec.template.spec.containers.0.livenessProbe", to: nil)
                .setting("spec.template.spec.containers.0.readinessProbe", to: nil)
        }
        let excused = noProbes.replacing("Deployment", "authentik-worker") {
            $0.setting("spec.template.metadata.annotations", to: [ContainerHealth.exceptionAnnotation: "one-shot importer"])
        }
        #expect(ContainerHealth.problems(in: excused) == [])
        let blankReason = noProbes.replacing("Deployment", "authentik-worker") {
            $0.setting("spec.template.metadata.annotations", to: [ContainerHealth.exceptionAnnotation: " "])
        }
        #expect(ContainerHealth.problems(in: blankReason).count == 2)
        let noMemory = excused.replacing("Deployment", "authentik-worker") {
            $0.setting("spec.template.spec.containers.0.resources.requests.memory", to: nil)
        }
        #expect(ContainerHealth.problems(in: noMemory) == [
            "Deployment/staging-infra/authentik-worker container worker has no memory requests",
        ])
    }
}
