import ProvisionCore

/// The Nest.js core backend in staging-core, routed at http://localhost/api/.
public struct CoreBackendComponent: Component {
    public init() {}
    public let id: ComponentID = "core-backend"
    public let summary = "Core backend (Nest.js) in staging-core at http://localhost/api/"
    public let dependencies: [ComponentID] = ["namespaces", "postgres-pgvector", "redis", "edge"]

    public var secrets: [SecretSpec] {
        [SecretSpec(name: "core-backend-credentials", namespace: "staging-core", keys: [
            ("DATABASE_PASSWORD", .random(length: 32)),
        ])]
    }
    public var smokeChecks: [SmokeCheck] {
        [.httpGet(url: "http://localhost/api/health", expectJSON: true)]
    }
    public var accessNotes: [AccessNote] {
        [AccessNote("URL", .text("http://localhost/api/"))]
    }
}
