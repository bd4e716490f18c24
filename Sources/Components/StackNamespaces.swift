import ProvisionCore

/// The namespace the shared infrastructure's Secrets go to (k8s/base/namespaces creates it;
/// ComponentManifestTests checks every Secret's namespace is rendered).
public enum StackNamespaces {
    /// Where the shared infrastructure runs: PostgreSQL, Redis, authentik.
    public static let infra = "staging-infra"
}
