import Foundation
import TestSupport
import Testing

/// docs/kubernetes-setup.md promises that real credentials and kubeconfigs cannot be
/// committed by accident while the documented examples stay tracked (seed tasks 1.3, 1.4).
@Suite("What the docs promise about secrets in git")
struct SecretHygieneTests {
    static func ignored(_ path: String) async throws -> Bool {
        let outcome = try await Shell.run("git", ["check-ignore", "--quiet", "--no-index", path])
        guard outcome.status == 0 || outcome.status == 1 else {
            throw GitFailed(outcome: outcome)
        }
        return outcome.status == 0
    }

    struct GitFailed: Error, CustomStringConvertible {
        var outcome: Shell.Outcome
        var description: String { "git check-ignore failed:\n\(outcome)" }
    }

    @Test("real secret files, kubeconfigs and the data directory are ignored", arguments: [
        "k8s/base/postgres/postgres-secrets.yaml", "k8s/base/redis/redis-secret.yaml",
        "k8s/base/authentik/secrets.yaml", "k8s/overlays/local/secret.yaml",
        "wrightnow.kubeconfig", ".kube/config", ".data/local-path-provisioner/staging-infra/x",
    ])
    func ignoredPaths(_ path: String) async throws {
        #expect(try await Self.ignored(path), "\(path) could be committed")
    }

    /// That each generated Secret has its secrets.example.yaml, key by key, and that every
    /// example is tracked, is ManifestTests' (ComponentLabelTests, RepositoryHygieneTests).
    @Test("k8s/README.md names every Secret the built-in components generate")
    func documentedSecretNames() throws {
        let setup = try Repository.read("k8s/README.md")
        let names = try BuiltInComponents.all().flatMap(\.secrets).map(\.name)
        #expect(!names.isEmpty)
        for name in names { #expect(setup.contains("`\(name)`"), "k8s/README.md does not name `\(name)`") }
    }
}
