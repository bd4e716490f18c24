/// One component as a run deploys it, worked out once per run by
/// ``ComponentDeployment/prepare(_:)`` and handed to the apply, the wait, the smoke checks,
/// the unchanged check and the record, so nothing is rendered, parsed or hashed twice.
public struct ComponentRelease: Sendable {
    public let component: any Component
    /// The exact text applied (never a Secret: those are applied on their own), kept in the history.
    public let body: String
    /// SHA-256 (hex) of ``body``, computed once, here: the history's key for the text and
    /// what a re-run compares with the last successful apply.
    public let digest: String
    /// The objects, each with its own digest. Empty when the overlay has nothing for the
    /// component: its step is then skipped, neither waited for nor checked.
    public let objects: [AppliedObject]
    /// What the component waits for once applied, in order.
    public let readiness: [ReadinessCheck]
    /// The container images its objects name (`ghcr.io/goauthentik/server:2026.8.7`), in
    /// order, each once: what a provider's image caches warm up while the cluster is made.
    public let images: [String]
    /// What the deployment layer made of the objects (the Kubernetes layer: its parsed
    /// documents), for its own later use; the engine never looks inside.
    public let rendered: any Sendable

    public init(
        component: any Component, body: String, objects: [AppliedObject], readiness: [ReadinessCheck] = [],
        images: [String] = [], rendered: any Sendable = ()
    ) {
        self.component = component
        self.body = body
        self.digest = SHA256.hexDigest(of: body)
        self.objects = objects
        self.readiness = readiness
        var seen = Set<String>()
        self.images = images.filter { seen.insert($0).inserted }
        self.rendered = rendered
    }

    public var id: ComponentID { component.id }
    public var isEmpty: Bool { objects.isEmpty }
}

extension AppliedManifest {
    /// What the history keeps of `release`: its text, digest and objects, and its Secrets by
    /// name and key (never by value).
    public init(_ release: ComponentRelease) {
        let secrets = release.component.secrets.map {
            SecretKeys(namespace: $0.namespace, name: $0.name, keys: $0.keys.map(\.key))
        }
        self.init(body: release.body, digest: release.digest, objects: release.objects, secrets: secrets)
    }
}
