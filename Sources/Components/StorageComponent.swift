import ProvisionCore

/// The local overlay's StorageClass that keeps volume data (reclaimPolicy Retain, a stable
/// path under the kind node's host mount), so data survives recreating the cluster.
public struct StorageComponent: Component {
    public init() {}
    public let id: ComponentID = "storage"
    public let summary = "StorageClass with Retain and stable paths, so data survives cluster recreation"
}
