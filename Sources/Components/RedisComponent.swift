import ProvisionCore

/// The shared Redis 8 cache (append-only file on a 2Gi volume), password protected.
public struct RedisComponent: Component {
    public init() {}
    public let id: ComponentID = "redis"
    public let summary = "Redis 8 with AOF persistence (Deployment redis, 2Gi)"
    public let dependencies: [ComponentID] = ["namespaces", "storage"]

    public var secrets: [SecretSpec] {
        [SecretSpec(name: "redis-credentials", namespace: StackNamespaces.infra, keys: [
            ("REDIS_PASSWORD", .random(length: 32)),
        ])]
    }
    /// `redis-cli ping` with the password from the container's environment (never on a command line).
    public var smokeChecks: [SmokeCheck] {
        [.exec(namespace: StackNamespaces.infra, pod: "deployment/redis", container: "redis",
               command: ["sh", "-c", #"export REDISCLI_AUTH="${REDISCLI_AUTH:-$REDIS_PASSWORD}"; exec redis-cli ping"#],
               expecting: "PONG")]
    }
}
