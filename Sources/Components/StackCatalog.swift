import ProvisionCore

/// Every component `provision` knows, in the order `provision components` lists them.
/// A new service (core, ai, web) is one new type here plus its manifests under `k8s/`.
public enum StackCatalog {
    public static let all: [any Component] = [
        NamespacesComponent(),
        StorageComponent(),
        LocalRegistryComponent(),
        PostgresPgvectorComponent(),
        RedisComponent(),
        GatewayCRDsComponent(),
        NginxGatewayFabricComponent(),
        IngressNginxComponent(),
        EdgeComponent(),
        AuthentikComponent(),
        AuthentikRedisComponent(),
        ArgoCDComponent(),
    ]

    /// The component with `id`, if registered.
    public static func component(_ id: ComponentID) -> (any Component)? {
        all.first { $0.id == id }
    }
}
