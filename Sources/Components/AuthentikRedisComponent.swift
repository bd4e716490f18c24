import ProvisionCore

/// Redis for authentik releases before 2025.10 (later ones do not use Redis). Optional:
/// a kustomize Component outside the default overlay, deployed only when selected.
/// `provision` applies the Component's objects (`k8s/components/authentik-redis/resources`);
/// the env patch that points an old authentik at it takes effect when an overlay lists the
/// Component under `components:`, as its kustomization.yaml describes.
public struct AuthentikRedisComponent: Component {
    public init() {}
    public let id: ComponentID = "authentik-redis"
    public let summary = "optional Redis for authentik releases before 2025.10 (not deployed by default)"
    public let dependencies: [ComponentID] = ["namespaces", "storage"]
    public let isOptional = true
    public var resources: ResourceSource { .kustomization("components/authentik-redis/resources") }
}
