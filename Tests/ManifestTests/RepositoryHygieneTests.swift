import Foundation
import TestSupport
import Testing

/// Secrets and cluster credentials stay out of git (seed tasks 1.3 and 1.4); CI runs the
/// README's test command.
@Suite("Secrets stay out of git; CI runs the test command")
struct RepositoryHygieneTests {
    static func isIgnored(_ path: String) async throws -> Bool {
        try await ChildProcess.run(["git", "-C", Repository.root.path, "check-ignore", "-q", "--no-index", path]).succeeded
    }

    @Test("real secret files are ignored", arguments: [
        "k8s/base/postgres/postgres-secrets.yaml", "k8s/base/redis/redis-secret.yaml",
        "k8s/base/authentik/secrets.yaml", "k8s/overlays/local/secret.yaml", "wrightnow.kubeconfig", ".kube/config",
        ".data/local-path-provisioner/staging-infra/data-postgres-0/pgdata/PG_VERSION",
    ])
    func secretFilesAreIgnored(_ path: String) async throws {
        #expect(try await Self.isIgnored(path))
    }

    @Test("the documented examples are tracked", arguments: Repository.k8sFiles(named: "secrets.example.yaml").map {
        String($0.path.dropFirst(Repository.root.path.count + 1))
    })
    func examplesAreNotIgnored(_ path: String) async throws {
        #expect(try await !Self.isIgnored(path))
    }

    @Test(".ci/run calls exactly ./scripts/test and exits with its status")
    func ciRunsTheTestCommand() throws {
        let lines = try Repository.read(".ci/run").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "#!/usr/bin/env bash")
        #expect(lines.filter { !$0.hasPrefix("#") && !$0.isEmpty }.contains("./scripts/test"))
        #expect(FileManager.default.isExecutableFile(atPath: Repository.file(".ci/run").path))
    }
}
