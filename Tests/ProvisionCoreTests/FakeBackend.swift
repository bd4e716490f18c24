import Foundation
@testable import ProvisionCore

/// An in-memory cluster backend that records every call and fails where told.
final class FakeBackend: ClusterBackend {
    struct Script: Sendable {
        var name = "fake"
        var clusterExists = false
        var preflightError: BackendError?
        var warnings: [PreflightWarning] = []
        var failApply: Set<ComponentID> = []
        var failReady: Set<ComponentID> = []
        /// Components whose apply waits until cancelled.
        var hangInApply: Set<ComponentID> = []
        var hangInPreflight = false
        var deleteLeavesCluster = false
        /// Components whose apply waits for ``FakeBackend/gate`` (failing after 30 s).
        var gatedApply: Set<ComponentID> = []
    }

    let script: Script
    let calls = Recorder<[String]>([])
    let exists: Recorder<Bool>
    /// Fired when a hanging call has started.
    let hanging = Signal()
    /// Opens the components in ``Script/gatedApply``.
    let gate = Signal()

    init(_ script: Script = Script()) {
        self.script = script
        exists = Recorder(script.clusterExists)
    }

    var name: String { script.name }

    private func record(_ call: String) { calls.update { $0.append(call) } }

    func preflight(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> [PreflightWarning] {
        record("preflight creating=\(creatingCluster)")
        if script.hangInPreflight {
            hanging.fire()
            try await sleepUntilCancelled()
        }
        if let error = script.preflightError { throw error }
        return script.warnings
    }

    func clusterExists(_ cluster: ClusterSpec) async throws -> Bool { exists.value }

    func ensureCluster(_ cluster: ClusterSpec) async throws -> ClusterProvisioning {
        record("ensureCluster \(cluster.name)")
        return exists.update { exists in
            defer { exists = true }
            return exists ? .reused : .created
        }
    }

    func deleteCluster(_ cluster: ClusterSpec) async throws {
        record("deleteCluster \(cluster.name)")
        if !script.deleteLeavesCluster { exists.update { $0 = false } }
    }

    func kubeContext(for cluster: ClusterSpec) -> String { "fake-\(cluster.name)" }

    func apply(_ component: any Component, to cluster: ClusterSpec) async throws -> ApplyResult {
        record("apply \(component.id)")
        if script.hangInApply.contains(component.id) {
            hanging.fire()
            try await sleepUntilCancelled()
        }
        if script.gatedApply.contains(component.id), !(await gate.wait()) {
            throw BackendError(problem: "gate for \(component.id) never opened", fix: "fire the gate in the test")
        }
        if script.failApply.contains(component.id) {
            throw BackendError(problem: "apply of \(component.id) was refused", fix: "fix the manifest")
        }
        return ApplyResult(digest: "sha256:\(component.id)", objectCount: 2)
    }

    func waitUntilReady(_ component: any Component, in cluster: ClusterSpec, timeout: Duration) async throws {
        record("ready \(component.id) within \(timeout.formattedSeconds)")
        if script.failReady.contains(component.id) {
            throw BackendError(problem: "\(component.id) did not become ready", fix: "look at its pods")
        }
    }

    func smokeCheck(_ component: any Component, in cluster: ClusterSpec) async throws {
        record("smoke \(component.id)")
    }
}
