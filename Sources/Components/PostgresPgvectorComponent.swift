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
    /// One psql call proves it all: the server answers, the database exists (psql refuses to
    /// connect to a missing one) and pgvector is enabled in it. The seed's `psql -c "\l"` would
    /// add a second call and nothing this one does not show.
    public var smokeChecks: [SmokeCheck] {
        [
            .exec(namespace: StackNamespaces.infra, pod: "postgres-0", container: "postgres",
                  command: ["psql", "-U", "postgres", "-d", Self.database, "-tAc",
                            "SELECT 'vector ' || extversion FROM pg_extension WHERE extname = 'vector'"],
                  expecting: "vector "),
        ]
    }
}
