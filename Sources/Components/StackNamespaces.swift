import ProvisionCore

/// The namespaces of the staging stack (k8s/base/namespaces).
public enum StackNamespaces {
    /// Where the shared infrastructure runs: PostgreSQL, Redis, authentik.
    public static let infra = "staging-infra"
    /// Placeholders for the services of later sprints (core, ai, web).
    public static let placeholders = ["staging-core", "staging-ai", "staging-web"]
    public static let all = [infra] + placeholders
}
