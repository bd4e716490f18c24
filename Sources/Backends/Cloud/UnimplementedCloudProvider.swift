import Foundation
import ProvisionCore

/// The GKE, EKS and AKS providers: selectable, honest placeholders.
///
/// They conform to ``ClusterProvider`` so the CLI, the plan and the history treat them like
/// any provider; every lifecycle operation stops with the same problem: not implemented yet,
/// what the provider will do, and where the manual path is documented. Nothing pretends to
/// succeed. The deployment layer needs nothing from them.
public struct UnimplementedCloudProvider: ClusterProvider {
    public let provider: CloudProvider
    public var name: String { provider.name }

    /// Where the manual path to each cloud is described.
    public static let documentation = "docs/kubernetes-setup.md#cloud-migration"

    public init(provider: CloudProvider) {
        self.provider = provider
    }

    /// `--backend gke|eks|aks`: selectable, and says at run time that it is not implemented.
    public static func backend(_ provider: CloudProvider) -> Backend {
        Backend(
            name: provider.name, summary: "\(provider.name) (\(provider.displayName)) is not implemented yet and says so",
            makeProvider: { _ in UnimplementedCloudProvider(provider: provider) })
    }

    /// The problem every operation throws.
    public var notImplemented: Problem {
        Problem(
            .notImplemented,
            problem: "the \(provider.name) backend is not implemented yet (\(provider.displayName)); "
                + "once implemented it will \(provider.plannedWork)",
            fix: "create the cluster with the provider's CLI, then deploy onto it with "
                + "`provision up --backend existing --context <its context> --overlay cluster` "
                + "(\(Self.documentation)), or use `--backend kind` for a local cluster")
    }

    public func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        throw notImplemented
    }
    public func clusterExists(_ cluster: ClusterSpec) async throws -> Bool { throw notImplemented }
    public func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning {
        throw notImplemented
    }
    public func deleteCluster(_ cluster: ClusterSpec) async throws { throw notImplemented }
    /// No context exists for an unimplemented provider; the name says so if it is ever shown.
    public func kubeContext(for cluster: ClusterSpec) -> String { "\(provider.name)-not-implemented" }
}
