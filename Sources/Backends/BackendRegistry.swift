import Foundation
import ProvisionCore

/// The backends `--backend` can name.
public enum BackendName: String, Sendable, CaseIterable, CustomStringConvertible {
    case kind, existing, gke, eks, aks
    public static let `default` = BackendName.kind
    public var description: String { rawValue }
}

/// Builds each backend's cluster provider.
public enum BackendRegistry {
    /// Builds the provider for `name`.
    /// - Parameters:
    ///   - runner: runs every subprocess of the provider.
    ///   - context: the kubeconfig context of an `existing` cluster (the CLI resolves kubectl's
    ///     current context when the user names none); other backends name their own.
    ///
    /// Tests that need kind's seams (proc root, port checker) build a ``KindProvider`` directly.
    public static func provider(
        _ name: BackendName, runner: any CommandRunner, context: String? = nil
    ) -> any ClusterProvider {
        switch name {
        case .kind: KindProvider(runner: runner)
        case .existing: ExistingClusterProvider(context: context ?? "", runner: runner)
        case .gke: UnimplementedCloudProvider(provider: .gke)
        case .eks: UnimplementedCloudProvider(provider: .eks)
        case .aks: UnimplementedCloudProvider(provider: .aks)
        }
    }
}
