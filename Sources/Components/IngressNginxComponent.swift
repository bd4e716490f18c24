import Foundation
import ProvisionCore

/// ingress-nginx from the pinned upstream manifest for kind (final release; the project
/// is retired, see k8s/base/ingress/nginx-ingress-controller.yaml for the migration path).
/// Ready means the controller rolled out and both admission jobs completed, so its
/// validating webhook answers before any Ingress is applied.
public struct IngressNginxComponent: Component {
    public init() {}
    public let id: ComponentID = "ingress-nginx"
    public let summary = "ingress-nginx controller v1.15.1 for kind (ports 80/443 on the host)"

    public static let manifestURL = URL(
        string: "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml")!
    public static let namespace = "ingress-nginx"

    public var resources: ResourceSource { .remoteManifest(Self.manifestURL) }
    public var readiness: [ReadinessCheck] {
        [
            .jobCompleted(name: "ingress-nginx-admission-create", namespace: Self.namespace),
            .jobCompleted(name: "ingress-nginx-admission-patch", namespace: Self.namespace),
            .rolledOut(.deployment, name: "ingress-nginx-controller", namespace: Self.namespace),
        ]
    }
}
