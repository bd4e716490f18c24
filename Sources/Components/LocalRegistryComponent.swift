import ProvisionCore

/// The kind overlays' announcement of the local registry (KEP-1755's `local-registry-hosting`
/// ConfigMap in kube-public), so Tilt, Skaffold and ko find where to push. The registry
/// itself runs outside the cluster, among the kind backend's image caches.
public struct LocalRegistryComponent: Component {
    public init() {}
    public let id: ComponentID = "local-registry"
    public let summary = "KEP-1755 ConfigMap announcing the local registry localhost:5001"
}
