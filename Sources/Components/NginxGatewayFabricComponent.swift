import ProvisionCore

/// NGINX Gateway Fabric v2.6.7, the Gateway API implementation of the default edge, from the
/// pin the overlay selects (NodePort flavour on kind, LoadBalancer in overlays/cluster).
/// Ready when its controller rolled out, its certificate Job completed and GatewayClass
/// `nginx` is Accepted (all derived from the manifest).
public struct NginxGatewayFabricComponent: Component {
    public init() {}
    public let id: ComponentID = "nginx-gateway-fabric"
    public let summary = "NGINX Gateway Fabric v2.6.7 controller, GatewayClass nginx"
    public let dependencies: [ComponentID] = ["gateway-crds"]
    public var resources: ResourceSource { .pinnedManifest("nginx-gateway-fabric.yaml") }
}
