import Foundation

/// The cluster a run targets.
public struct ClusterSpec: Sendable, Hashable {
    /// Cluster name, e.g. `wrightnow`.
    public var name: String
    /// The repository's `k8s/` directory (single source of truth for manifests).
    public var manifestsRoot: URL
    /// The overlay to render, e.g. `local` for `k8s/overlays/local`.
    public var overlay: String

    public init(name: String, manifestsRoot: URL, overlay: String) {
        self.name = name
        self.manifestsRoot = manifestsRoot
        self.overlay = overlay
    }

    public var overlayDirectory: URL {
        manifestsRoot.appending(path: "overlays").appending(path: overlay)
    }
}

/// Something preflight noticed that does not stop the run.
public struct PreflightWarning: Sendable, Hashable, CustomStringConvertible {
    public var problem: String
    public var fix: String
    public init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }
    public var description: String { "\(problem)\n  fix: \(fix)" }
}

/// A backend refused to go on. Every case names the problem and the fix.
public struct BackendError: Error, Sendable, CustomStringConvertible {
    public var problem: String
    public var fix: String
    /// The underlying command failure, when there was one.
    public var cause: CommandError?

    public init(problem: String, fix: String, cause: CommandError? = nil) {
        self.problem = problem
        self.fix = fix
        self.cause = cause
    }

    public var description: String {
        var text = "\(problem)\n  fix: \(fix)"
        if let cause { text += "\n\(cause)" }
        return text
    }
}

/// What one apply did, recorded in the state store.
public struct ApplyResult: Sendable, Hashable {
    /// SHA-256 (hex) of exactly what was sent to the cluster.
    public var digest: String
    /// Number of Kubernetes objects applied.
    public var objectCount: Int
    public init(digest: String, objectCount: Int) {
        self.digest = digest
        self.objectCount = objectCount
    }
}

/// A prerequisite tool and the version it reported, for `provision up` to show.
public struct ToolVersion: Sendable, Hashable, CustomStringConvertible {
    public var tool: String
    public var version: String
    public init(tool: String, version: String) {
        self.tool = tool
        self.version = version
    }
    public var description: String { "\(tool) \(version)" }
}

/// Whether `ensureCluster` made a new cluster or found one.
public enum ClusterProvisioning: String, Sendable, Hashable {
    case created, reused
}

/// What a cluster backend must do. Modelled on kind's provider interface:
/// small, cluster-lifecycle first, with everything component-specific passed in as data.
///
/// ProvisionCore knows nothing about kind, kubectl or any component; backends
/// turn ``Component`` declarations into actions on a real cluster.
public protocol ClusterBackend: Sendable {
    /// `kind`, `gke`, `eks`, `aks`.
    var name: String { get }

    /// Checks this backend's own prerequisites (tools, daemons, ports).
    /// Throws ``BackendError`` for anything that blocks the run; returns warnings otherwise.
    /// `creatingCluster` is true when the cluster does not exist yet.
    func preflight(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> [PreflightWarning]

    func clusterExists(_ cluster: ClusterSpec) async throws -> Bool

    /// Creates the cluster, or reuses it when it exists.
    func ensureCluster(_ cluster: ClusterSpec) async throws -> ClusterProvisioning

    /// Deletes the cluster. Deleting a cluster that does not exist is not an error.
    func deleteCluster(_ cluster: ClusterSpec) async throws

    /// The kubeconfig context that reaches the cluster.
    func kubeContext(for cluster: ClusterSpec) -> String

    /// Makes sure the component's secrets exist in the cluster, then applies its resources.
    func apply(_ component: any Component, to cluster: ClusterSpec) async throws -> ApplyResult

    /// Waits until every readiness check of the component holds, or the timeout passes.
    func waitUntilReady(_ component: any Component, in cluster: ClusterSpec, timeout: Duration) async throws

    /// Runs the component's smoke checks.
    func smokeCheck(_ component: any Component, in cluster: ClusterSpec) async throws

    /// The versions of the tools the last ``preflight(_:creatingCluster:)`` found
    /// (empty before preflight, or for backends that use no local tools).
    func toolVersions() async -> [ToolVersion]
}

extension ClusterBackend {
    public func toolVersions() async -> [ToolVersion] { [] }
}
