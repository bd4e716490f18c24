import Testing

@Suite("Images are pinned")
struct ImageTests {
    @Test("every rendered image names an exact release", arguments: Kustomization.allCases)
    func renderedImagesArePinned(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(ImagePinning.problems(in: rendering.objects) == [])
    }

    @Test("floating, missing and latest tags are reported", arguments: [
        "pgvector/pgvector:pg15", "redis:7-alpine", "postgres:15-alpine", "redis", "ghcr.io/goauthentik/server:latest",
        "ghcr.io/goauthentik/server", "localhost:5000/app",
    ])
    func floatingTagsFail(_ image: String) {
        #expect(ImagePinning.problem(with: image) != nil)
    }

    @Test("exact versions and digests pass", arguments: [
        "pgvector/pgvector:0.8.6-pg15-bookworm", "redis:7.4.11-alpine3.21", "ghcr.io/goauthentik/server:2026.8.0",
        "localhost:5000/app:1.2.3", "redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ])
    func exactVersionsPass(_ image: String) {
        #expect(ImagePinning.problem(with: image) == nil)
    }

    @Test("a workload with a floating image is reported")
    func workloadWithFloatingImage() async throws {
        var objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        objects = objects.replacing("StatefulSet", "postgres") {
            $0.setting("spec.template.spec.containers.0.image", to: "pgvector/pgvector:pg15")
        }
        #expect(ImagePinning.problems(in: objects) == [
            "StatefulSet/staging-infra/postgres container postgres: image pgvector/pgvector:pg15 uses the floating tag pg15; name an exact version",
        ])
    }
}
