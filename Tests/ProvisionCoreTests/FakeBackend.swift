import Foundation
import Testing
@testable import ProvisionCore

/// An in-memory cluster that plays both seams, the provider and the deployment layer,
/// records every call in one list (so tests see their order) and fails where told.
final class FakeBackend: ClusterProvider, ComponentDeployment {
    struct Script: Sendable {
        var name = "fake"
        var clusterExists = false
        var preflightError: Problem?
        var warnings: [PreflightWarning] = []
        var failApply: Set<ComponentID> = []
        var failReady: Set<ComponentID> = []
        /// Components whose apply waits until cancelled.
        var hangInApply: Set<ComponentID> = []
        var hangInPreflight = false
        var deleteLeavesCluster = false
        /// Components whose apply waits for ``FakeBackend/gate`` (failing after 30 s).
        var gatedApply: Set<ComponentID> = []
        /// What ``ClusterProvider/dataDirectory(for:)`` answers.
        var dataDirectory: URL?
        /// False plays a provider on a cluster it did not create: `down` removes components.
        var ownsCluster = true
        var failRemove: Set<ComponentID> = []
        /// Components whose apply finds nothing in the overlay.
        var emptyApply: Set<ComponentID> = []
        /// Components that cannot be prepared (their manifests cannot be rendered or fetched).
        var failPrepare: Set<ComponentID> = []
    }

    let script: Script
    let calls = Recorder<[String]>([])
    /// Every component prepared, in the order asked.
    let prepared = Recorder<[ComponentID]>([])
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

    func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        record("preflight creating=\(creatingCluster)")
        if script.hangInPreflight {
            hanging.fire()
            try await sleepUntilCancelled()
        }
        if let error = script.preflightError { throw error }
        return PreflightReport(warnings: script.warnings, toolVersions: [ToolVersion(tool: "fake", version: "1.0")])
    }

    func clusterExists(_ cluster: ClusterSpec) async throws -> Bool { exists.value }

    func ensureCluster(_ cluster: ClusterSpec, exists found: Bool) async throws -> ClusterProvisioning {
        record("ensureCluster \(cluster.name)")
        return exists.update { exists in
            // The Deployer hands over what clusterExists answered at preflight.
            if found != exists { Issue.record("ensureCluster was told exists: \(found), the cluster says \(exists)") }
            defer { exists = true }
            return exists ? .reused : .created
        }
    }

    func deleteCluster(_ cluster: ClusterSpec) async throws {
        record("deleteCluster \(cluster.name)")
        if !script.deleteLeavesCluster { exists.update { $0 = false } }
    }

    func kubeContext(for cluster: ClusterSpec) -> String { "fake-\(cluster.name)" }

    func dataDirectory(for cluster: ClusterSpec) throws -> URL? { script.dataDirectory }

    func prepare(_ component: any Component) async throws -> ComponentRelease {
        prepared.update { $0.append(component.id) }
        if script.failPrepare.contains(component.id) {
            throw Problem(problem: "the manifests of \(component.id) cannot be rendered", fix: "fix the kustomization")
        }
        if script.emptyApply.contains(component.id) { return ComponentRelease(component: component, body: "", objects: []) }
        return ComponentRelease(
            component: component, body: Self.manifest(of: component.id),
            objects: [
                AppliedObject(reference: "Deployment/apps/\(component.id)", digest: SHA256.hexDigest(of: "\(component.id)-1")),
                AppliedObject(reference: "Service/apps/\(component.id)", digest: SHA256.hexDigest(of: "\(component.id)-2")),
            ])
    }

    func apply(_ release: ComponentRelease) async throws {
        let component = release.component
        record("apply \(component.id)")
        if script.hangInApply.contains(component.id) {
            hanging.fire()
            try await sleepUntilCancelled()
        }
        if script.gatedApply.contains(component.id), !(await gate.wait()) {
            throw Problem(problem: "gate for \(component.id) never opened", fix: "fire the gate in the test")
        }
        if script.failApply.contains(component.id) {
            throw Problem(problem: "apply of \(component.id) was refused", fix: "fix the manifest")
        }
    }

    /// What the fake applies for a component.
    static func manifest(of id: ComponentID) -> String {
        "kind: Deployment\nname: \(id)\n---\nkind: Service\nname: \(id)\n"
    }

    func waitUntilReady(_ release: ComponentRelease, timeout: Duration) async throws {
        record("ready \(release.id) within \(timeout.formattedSeconds)")
        if script.failReady.contains(release.id) {
            throw Problem(problem: "\(release.id) did not become ready", fix: "look at its pods")
        }
    }

    func smokeCheck(_ release: ComponentRelease) async throws {
        record("smoke \(release.id)")
    }

    func remove(_ release: ComponentRelease, keepingData: Bool, timeout: Duration) async throws -> String {
        record("remove \(release.id) keepingData=\(keepingData)")
        if script.failRemove.contains(release.id) {
            throw Problem(problem: "\(release.id) did not go away", fix: "look at its finalizers")
        }
        return "deleted \(release.id)"
    }

    var ownsCluster: Bool { script.ownsCluster }
}
