import Foundation
import Testing
import ProvisionCore

/// Preflight is composed, not written by each provider: a cluster that exists is always
/// checked for what keeps it from being used, and every blocking problem is thrown at once.
@Suite("a provider's preflight")
struct ProviderPreflightTests {
    struct Provider: ClusterProvider {
        var blocking: [Problem] = []
        var clusterProblems: [Problem] = []
        let asked = Recorder<[String]>([])
        var name: String { "test" }
        func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
            asked.update { $0.append("prerequisites") }
            return PreflightReport(blocking: blocking, warnings: [PreflightWarning(problem: "w", fix: "f")])
        }
        func existingClusterProblems(_ cluster: ClusterSpec) async -> [Problem] {
            asked.update { $0.append("existing") }
            return clusterProblems
        }
        func clusterExists(_ cluster: ClusterSpec) async throws -> Bool { true }
        func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning { .reused }
        func deleteCluster(_ cluster: ClusterSpec) async throws {}
        func kubeContext(for cluster: ClusterSpec) -> String { "test" }
    }

    static let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: URL(filePath: "/nonexistent/k8s"), overlay: "local")
    static let stopped = Problem(.preflight, problem: "its node is stopped", fix: "start it")
    static let missingTool = Problem(.preflight, problem: "a tool is missing", fix: "install it")

    @Test func anExistingClusterIsCheckedWithoutTheProviderAsking() async throws {
        let provider = Provider(clusterProblems: [Self.stopped])
        await #expect { try await provider.preflight(Self.cluster, creatingCluster: false) } throws: {
            ($0 as? Problem)?.problem == "its node is stopped"
        }
        #expect(provider.asked.value == ["prerequisites", "existing"])
    }

    @Test func aClusterAboutToBeCreatedIsNotInspected() async throws {
        let provider = Provider(clusterProblems: [Self.stopped])
        let report = try await provider.preflight(Self.cluster, creatingCluster: true)
        #expect(report.warnings.map(\.problem) == ["w"])
        #expect(provider.asked.value == ["prerequisites"])
    }

    @Test func everyBlockingProblemIsThrownAtOnce() async throws {
        let provider = Provider(blocking: [Self.missingTool], clusterProblems: [Self.stopped])
        await #expect { try await provider.preflight(Self.cluster, creatingCluster: false) } throws: { error in
            let problem = error as? Problem
            return problem?.kind == .preflight && problem?.problem.contains("a tool is missing") == true
                && problem?.problem.contains("its node is stopped") == true
        }
    }
}
