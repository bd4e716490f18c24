import ProvisionCore

/// authentik (identity provider) under http://localhost/auth/: its own PostgreSQL, the server
/// and worker, the media volume, its route from the edge (an HTTPRoute, or the seed's Ingress)
/// and the server's PodDisruptionBudget. Depends on the edge, so its route is applied once the
/// Gateway is programmed (or ingress-nginx's admission webhook is ready).
public struct AuthentikComponent: Component {
    public init() {}
    public let id: ComponentID = "authentik"
    public let summary = "authentik server + worker with its own PostgreSQL, served at http://localhost/auth/"
    public let dependencies: [ComponentID] = ["namespaces", "storage", "edge"]

    public static let url = "http://localhost/auth/"
    public static let bootstrapUser = "akadmin"

    public var secrets: [SecretSpec] {
        [SecretSpec(name: "authentik-credentials", namespace: StackNamespaces.infra, keys: [
            ("AUTHENTIK_SECRET_KEY", .random(length: 64)),
            ("AUTHENTIK_POSTGRESQL__PASSWORD", .random(length: 32)),
            ("AUTHENTIK_BOOTSTRAP_PASSWORD", .random(length: 24)),
            ("AUTHENTIK_BOOTSTRAP_TOKEN", .random(length: 48)),
            ("AUTHENTIK_BOOTSTRAP_EMAIL", .literal("akadmin@wrightnow.localhost")),
        ])]
    }
    public var accessNotes: [AccessNote] {
        [
            AccessNote("URL", .text(Self.url)),
            AccessNote("first-run setup", .text(Self.url + "if/flow/initial-setup/")),
            AccessNote("log in as", .text(Self.bootstrapUser)),
            AccessNote("password", .secret(name: "authentik-credentials", key: "AUTHENTIK_BOOTSTRAP_PASSWORD")),
        ]
    }
    /// The unauthenticated config endpoint answers JSON only when the whole path works:
    /// host port, edge, sub-path routing, server and its database. The first-run setup page
    /// then proves the UI under /auth/: its scripts and stylesheets are there too.
    public var smokeChecks: [SmokeCheck] {
        [
            .httpGet(url: "http://localhost/auth/api/v3/root/config/", expectJSON: true),
            .webPage(url: Self.url + "if/flow/initial-setup/"),
        ]
    }
}
