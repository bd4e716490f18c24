import ProvisionCore

/// The shared PostgreSQL 15 with pgvector for the application services.
public struct PostgresPgvectorComponent: Component {
    public init() {}
    public let id: ComponentID = "postgres-pgvector"
    public let summary = "PostgreSQL 15 with pgvector (StatefulSet postgres, 10Gi)"
    public let dependencies: [ComponentID] = ["namespaces", "storage"]

    /// The database the applications use; init-db.sh enables `vector` in it.
    public static let database = "wrightnow"

    public var secrets: [SecretSpec] {
        [SecretSpec(name: "postgres-credentials", namespace: StackNamespaces.infra, keys: [
            ("POSTGRES_USER", .literal("postgres")),
            ("POSTGRES_DB", .literal(Self.database)),
            ("POSTGRES_PASSWORD", .random(length: 32)),
        ])]
    }
    /// psql lists the databases (the seed's check), then proves pgvector is enabled.
    public var smokeChecks: [SmokeCheck] {
        [
            .exec(namespace: StackNamespaces.infra, pod: "postgres-0", container: "postgres",
                  command: ["psql", "-U", "postgres", "-c", "\\l"], expecting: Self.database),
            .exec(namespace: StackNamespaces.infra, pod: "postgres-0", container: "postgres",
                  command: ["psql", "-U", "postgres", "-d", Self.database, "-tAc",
                            "SELECT 'vector ' || extversion FROM pg_extension WHERE extname = 'vector'"],
                  expecting: "vector "),
        ]
    }
}
