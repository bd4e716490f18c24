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
        /// The images each component's objects name.
        var images: [ComponentID: [String]] = [:]
        /// Image caches the provider keeps; nil: none.
        var caches: FakeCaches.Script?
        /// ensureCluster waits until a warm-up pull has started (proving they overlap).
        var createWaitsForAPull = false
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

    /// The image caches, when the script keeps some; they record into ``calls``.
    let caches: FakeCaches?

    init(_ script: Script = Script()) {
        self.script = script
        exists = Recorder(script.clusterExists)
        let calls = self.calls
        caches = script.caches.map { FakeCaches($0, calls: calls) }
    }

    func imageCaches(for cluster: ClusterSpec) -> ImageCacheSupport {
        caches.map { .available($0) } ?? .unavailable(reason: "the fake keeps none")
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
        if script.createWaitsForAPull, let caches {
            caches.creating.fire()
            guard await caches.pulling.wait() else {
                throw Problem(problem: "no warm-up pull started while the cluster was made", fix: "overlap them")
            }
        }
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
            ],
            images: script.images[component.id] ?? [])
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

/// Image caches in memory: they record each call in the backend's list, and fail or wait
/// where told.
final class FakeCaches: ImageCaches {
    struct Script: Sendable {
        /// Registries (the part before the first `/`) it serves; others are not warmable.
        var serves: Set<String> = ["docker.io", "ghcr.io"]
        var problems: [Problem] = []
        var failStart = false
        var failPull: Set<String> = []
        /// Pulls wait until the cluster is being made.
        var pullWaitsForCreate = false
        /// Pulls wait until cancelled.
        var hangInPull = false
    }

    let script: Script
    let calls: Recorder<[String]>
    let creating = Signal()
    let pulling = Signal()

    init(_ script: Script, calls: Recorder<[String]>) {
        self.script = script
        self.calls = calls
    }

    private func registry(of image: String) -> String { String(image.split(separator: "/").first ?? "") }

    func describe(for images: [String]) -> [String] {
        Set(images.map(registry)).intersection(script.serves).sorted().map { "mirror of \($0)" }
    }

    func start(for images: [String]) async throws -> CacheStart {
        calls.update { $0.append("start caches for \(images.count) images") }
        if let problem = Problem.all(script.problems, kind: .preflight) { throw problem }
        if script.failStart { throw Problem(problem: "the mirror would not start", fix: "look at docker") }
        let warmable = images.filter { script.serves.contains(registry(of: $0)) }
        return CacheStart(note: "started \(describe(for: images).joined(separator: ", "))", warmable: warmable)
    }

    func warmUp(_ image: String) async throws -> String? {
        calls.update { $0.append("pull \(image)") }
        pulling.fire()
        if script.pullWaitsForCreate, !(await creating.wait()) {
            throw Problem(problem: "the cluster was never being made during the pull", fix: "overlap them")
        }
        if script.failPull.contains(image) { throw Problem(problem: "\(image): manifest unknown", fix: "check the tag") }
        if script.hangInPull { try await sleepUntilCancelled() }
        return "cached"
    }

    func survey(sizes: Bool) async throws -> [CacheStatus] { [] }

    func remove() async throws -> String {
        calls.update { $0.append("remove caches") }
        return "removed the caches"
    }
}
