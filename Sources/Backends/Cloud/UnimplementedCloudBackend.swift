import Foundation
import ProvisionCore

/// The GKE, EKS and AKS backends: selectable, honest placeholders.
///
/// They conform to ``ClusterBackend`` so the CLI, the plan and the history treat them like
/// any backend, and every operation stops with the same error: not implemented yet, what the
/// backend will do, and where the manual path is documented. Nothing pretends to succeed.
public struct UnimplementedCloudBackend: ClusterBackend {
    public let provider: CloudProvider
    public var name: String { provider.name }

    /// Where the manual path to each cloud is described.
    public static let documentation = "docs/kubernetes-setup.md#cloud-migration"

    public init(provider: CloudProvider) {
        self.provider = provider
    }

    /// The error every operation throws.
    public var notImplemented: BackendError {
        BackendError(
            problem: "the \(provider.name) backend is not implemented yet (\(provider.displayName)); "
                + "once implemented it will \(provider.plannedWork)",
            fix: "deploy to \(provider.displayName) by hand as described in \(Self.documentation), "
                + "or use `--backend kind` for a local cluster")
    }

    public func preflight(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> [PreflightWarning] {
        throw notImplemented
    }
    public func clusterExists(_ cluster: ClusterSpec) async throws -> Bool { throw notImplemented }
    public func ensureCluster(_ cluster: ClusterSpec) async throws -> ClusterProvisioning { throw notImplemented }
    public func deleteCluster(_ cluster: ClusterSpec) async throws { throw notImplemented }
    /// No context exists for an unimplemented backend; the name says so if it is ever shown.
    public func kubeContext(for cluster: ClusterSpec) -> String { "\(provider.name)-not-implemented" }
    public func apply(_ component: any Component, to cluster: ClusterSpec) async throws -> ApplyResult {
        throw notImplemented
    }
    public func waitUntilReady(_ component: any Component, in cluster: ClusterSpec, timeout: Duration) async throws {
        throw notImplemented
    }
    public func smokeCheck(_ component: any Component, in cluster: ClusterSpec) async throws {
        throw notImplemented
    }
}
