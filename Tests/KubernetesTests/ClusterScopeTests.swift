import Foundation
import Testing
import TestSupport
@testable import Kubernetes

/// The kinds without a namespace are listed twice: for the survey of the cluster
/// (ClusterSurvey.swift, diff file names) and in the fake kubectl the CLI tests run against.
/// This holds the copies together.
@Suite("cluster-scoped kinds")
struct ClusterScopeTests {
    @Test("the fake kubectl's cluster-scoped kinds are the survey's")
    func fakeKubectlAgrees() throws {
        let script = try Repository.read("Tests/Fixtures/fake-tools/kubectl")
        let lines = script.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("is_cluster_scoped()") }, "no is_cluster_scoped in the fake")
        let pattern = try #require(lines[start...].first { $0.contains(") return 0 ;;") })
        let kinds = pattern.trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: ") return 0 ;;", with: "").split(separator: "|").map(String.init)
        #expect(Set(kinds) == KubernetesDeployment.clusterScopedKinds)
        #expect(kinds.count == KubernetesDeployment.clusterScopedKinds.count, "no kind listed twice")
    }
}
