import ProvisionCore

/// The CRDs the Gateway API edge needs: Gateway API's standard channel and NGINX Gateway
/// Fabric's own, from the pins the overlay selects (components/edge-gateway-api/pins/).
/// Ready when every CRD is Established (derived from the manifests).
public struct GatewayCRDsComponent: Component {
    public init() {}
    public let id: ComponentID = "gateway-crds"
    public let summary = "Gateway API v1.5.1 standard CRDs and NGINX Gateway Fabric's CRDs"
    public var resources: ResourceSource { .pinnedManifest("gateway-crds.yaml") }
}
