import Foundation
import TestSupport
import Testing

/// Acceptance: every kustomization renders on a clean checkout without warnings, and the
/// output passes strict schema validation for the pinned kind node's Kubernetes version.
@Suite("Rendering k8s/")
struct RenderingTests {
    @Test("renders with no warnings", arguments: Kustomization.allCases)
    func rendersWithoutWarnings(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(rendering.warnings.isEmpty, "kubectl kustomize \(kustomization.rawValue) printed:\n\(rendering.warnings)")
        #expect(!rendering.objects.isEmpty)
    }

    @Test("every Component under k8s/components is rendered by the tests")
    func everyComponentIsCovered() {
        let covered = Set(Kustomization.allCases.flatMap(\.renderedComponents))
        let components = Kustomization.componentDirectories
        #expect(!components.isEmpty)
        for directory in components {
            #expect(covered.contains(directory), "add a Kustomization case (an overlay) that renders \(directory)")
        }
    }

    @Test("passes kubernetes-validate --strict for the node's Kubernetes version", arguments: Kustomization.allCases)
    func validatesStrictly(_ kustomization: Kustomization) async throws {
        let version = try #require(try KindConfig.load().kubernetesVersion)
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        let result = try await Self.validate(rendering.yaml, kubernetesVersion: version)
        #expect(result.succeeded, "\(kustomization.rawValue) is not valid Kubernetes \(version):\n\(result.description)")
    }

    @Test("strict validation rejects an unknown field")
    func strictValidationCanFail() async throws {
        let version = try #require(try KindConfig.load().kubernetesVersion)
        let misspelled = """
            apiVersion: v1
            kind: Service
            metadata:
              name: redis
            spec:
              selector:
                app: redis
              ports:
                - port: 6379
                  targetPrt: redis
            """
        let result = try await Self.validate(misspelled, kubernetesVersion: version)
        #expect(!result.succeeded)
        #expect(result.standardOutput.contains("targetPrt") || result.standardError.contains("targetPrt"))
    }

    @Test("no Secret is rendered: secrets are created at deploy time", arguments: Kustomization.allCases)
    func noSecretsInGit(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(rendering.objects(ofKind: "Secret").isEmpty)
    }

    static func validate(_ yaml: String, kubernetesVersion: String) async throws -> ProcessResult {
        let scratch = try TemporaryDirectory("validate")
        let file = scratch.url.appending(path: "rendered.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try await ChildProcess.run(["kubernetes-validate", "--strict", "--quiet", "-k", kubernetesVersion, file.path])
    }
}
