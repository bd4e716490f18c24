import Foundation
import ProvisionCore

/// ingress-nginx from the pinned upstream manifest for kind (final release; the project
/// is retired, see k8s/base/ingress/nginx-ingress-controller.yaml for the migration path).
/// Ready (derived from the manifest) means both admission Jobs completed and the controller
/// rolled out, so its validating webhook answers before any Ingress is applied.
public struct IngressNginxComponent: Component {
    public init() {}
    public let id: ComponentID = "ingress-nginx"
    public let summary = "ingress-nginx controller v1.15.1 for kind (ports 80/443 on the host)"

    /// The pin (URL and SHA-256 of the upstream kind manifest), relative to `k8s/`.
    public static let pinFile = "base/ingress/nginx-ingress-controller.yaml"

    public var resources: ResourceSource { .pinnedManifest(Self.pinFile) }

    /// The controller's default backend answers 404 through the published port: a host port
    /// mapping that does not reach it fails here, not at authentik's check after every wait.
    public var smokeChecks: [SmokeCheck] { [.publishedIngress(path: "/", status: 404)] }
}
