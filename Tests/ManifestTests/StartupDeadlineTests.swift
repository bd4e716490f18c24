import Testing

@Suite("Rollouts are not cut short by the progress deadline")
struct StartupDeadlineTests {
    @Test("every Deployment's progress deadline covers its startup probe and the first pull",
          arguments: Kustomization.allCases)
    func deadlinesCoverStartup(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(StartupDeadline.problems(in: rendering.objects) == [])
    }

    @Test("the authentik budgets are what the manifests say: 605 s (server) and 630 s (worker)")
    func authentikBudgets() async throws {
        let rendering = try await RenderCache.shared.rendering(of: .localOverlay)
        let server = try #require(rendering.object("Deployment", "authentik-server")?.containers.first)
        let worker = try #require(rendering.object("Deployment", "authentik-worker")?.containers.first)
        #expect(StartupDeadline.startupBudget(of: server) == 605)
        #expect(StartupDeadline.startupBudget(of: worker) == 630)
    }

    @Test("the default deadline of 600 s is reported for authentik (the check can fail)")
    func defaultDeadlineIsReported() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects
            .replacing("Deployment", "authentik-server") { $0.setting("spec.progressDeadlineSeconds", to: nil) }
            .replacing("Deployment", "authentik-worker") { $0.setting("spec.progressDeadlineSeconds", to: 900) }
        #expect(StartupDeadline.problems(in: broken) == [
            "Deployment/staging-infra/authentik-server: progressDeadlineSeconds 600 is below its startup probe's 605 s plus 300 s for the image pull (905 s); rollout status would give up first",
            "Deployment/staging-infra/authentik-worker: progressDeadlineSeconds 900 is below its startup probe's 630 s plus 300 s for the image pull (930 s); rollout status would give up first",
        ])
    }
}
