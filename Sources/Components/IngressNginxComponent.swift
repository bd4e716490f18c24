import Foundation
import ProvisionCore

/// The seed's edge, ingress-nginx v1.15.1 (its final release), from the pinned upstream manifest
/// that overlays/local-ingress-nginx selects (components/edge-ingress-nginx/pins/). Retired
/// upstream: the run summary says so whenever it is deployed. Ready (derived from the manifest)
/// means both admission Jobs completed and the controller rolled out, so its validating webhook
/// answers before any Ingress is applied.
public struct IngressNginxComponent: Component {
    public init() {}
    public let id: ComponentID = "ingress-nginx"
    public let summary = "ingress-nginx v1.15.1, RETIRED (only with --overlay local-ingress-nginx)"

    /// The pin's file name: overlays select it through their `pins/` or their edge Component's.
    public static let pinFile = "nginx-ingress-controller.yaml"

    public var resources: ResourceSource { .pinnedManifest(Self.pinFile) }

    /// The controller's default backend answers 404 through the published port: a host port
    /// mapping that does not reach it fails here, not at authentik's check after every wait.
    public var smokeChecks: [SmokeCheck] { [.publishedIngress(path: "/", status: 404)] }

    public var accessNotes: [AccessNote] {
        [AccessNote(
            "WARNING", .text("ingress-nginx is retired (no releases or security fixes since March 2026); "
                + "the default edge is Gateway API: provision down, then provision up without --overlay"))]
    }
}
