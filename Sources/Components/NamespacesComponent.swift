import ProvisionCore

/// The four staging namespaces and staging-infra's default-deny NetworkPolicies.
/// Everything else lives in them, so most components depend on this one.
public struct NamespacesComponent: Component {
    public init() {}
    public let id: ComponentID = "namespaces"
    public let summary = "namespaces staging-infra (active) and staging-core/-ai/-web (placeholders)"
}
