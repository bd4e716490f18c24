import ProvisionCore

/// The stack's edge at http://localhost/: the shared Gateway `wrightnow` and its data plane's
/// fixed node port (components/edge-gateway-api), which every service's route attaches to.
/// Depends on both controllers: the overlay selects one, the other's step is skipped. Ready
/// when the Gateway is Programmed (derived from the manifests).
public struct EdgeComponent: Component {
    public init() {}
    public let id: ComponentID = "edge"
    public let summary = "the shared Gateway every route attaches to, published at http://localhost/"
    public let dependencies: [ComponentID] = ["nginx-gateway-fabric", "ingress-nginx"]

    /// The data plane answers 404 for a path no route matches, through the published port: a
    /// port mapping that does not reach it fails here, not at authentik's check after every wait.
    public var smokeChecks: [SmokeCheck] { [.publishedIngress(path: "/", status: 404)] }
}
