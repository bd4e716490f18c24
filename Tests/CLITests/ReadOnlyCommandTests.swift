import Backends
import Components
import Foundation
import Kubernetes
import ProvisionCore
import RunHistory
import Testing
import TestSupport

/// `plan`, `components`, `history`, `status` and `--help`: what they print, and that the
/// read-only ones touch nothing.
@Suite("read-only commands")
struct ReadOnlyCommandTests {
    @Test("plan prints the order and the waves without calling any tool or creating a store")
    func plan() async throws {
        let world = try FakeWorld()
        let result = try await world.provision("plan")
        #expect(result.exitCode == 0, "\(result)")
        let out = result.standardOutput
        // What the catalog plans is what plan prints: counts, waves and order.
        let expected = try Plan(components: StackCatalog.all)
        #expect(out.contains("Plan: \(expected.order.count) components in \(expected.waves.count) waves"))
        for (index, wave) in expected.waves.enumerated() {
            #expect(out.contains("wave \(index + 1): \(wave.map(\.rawValue).joined(separator: ", "))"))
        }
        let authentikRow = try #require(out.split(separator: "\n").first { $0.contains(" authentik ") })
        #expect(authentikRow.contains(AuthentikComponent().dependencies.map(\.rawValue).sorted().joined(separator: ", ")))
        // Dependencies come first in the printed order.
        let positions = expected.order.map { out.range(of: "  \($0) ")!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(world.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: world.stateDirectory.path))
    }

    @Test("plan names the image caches kind would start, and says the existing backend keeps none, touching nothing")
    func planShowsImageCaches() async throws {
        let world = try FakeWorld()
        let kind = try await world.provision("plan")
        #expect(kind.exitCode == 0, "\(kind)")
        let section = try #require(kind.standardOutput.components(separatedBy: "\n\n").last)
        #expect(section.hasPrefix("Image caches (--backend kind), started before the cluster is made and kept by `provision down`:"))
        // The local registry's address comes from the KEP-1755 ConfigMap in the world's k8s/.
        #expect(section.contains("local registry localhost:\(world.registryHostPort): container and volume provision-registry"))
        #expect(section.contains("containerd in the node reads them from .data/containerd-certs.d"))

        let existing = try await world.provision("plan", "--backend", "existing")
        #expect(existing.exitCode == 0, "\(existing)")
        #expect(existing.standardOutput.contains(
            "Image caches (--backend existing): none. The existing backend keeps no image caches: the cluster pulls "
                + "every image from its registry."))
        #expect(world.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: world.stateDirectory.path))
    }

    @Test("plan --with adds the optional component; --only pulls in dependencies")
    func planSelection() async throws {
        let world = try FakeWorld()
        let with = try await world.provision("plan", "--with", "authentik-redis")
        #expect(with.exitCode == 0)
        let withOptional = try Plan(components: StackCatalog.all, selecting: Set(
            StackCatalog.all.filter { !$0.isOptional }.map(\.id) + ["authentik-redis"]))
        #expect(with.standardOutput.contains("Plan: \(withOptional.order.count) components"))
        #expect(with.standardOutput.contains("authentik-redis"))
        let only = try await world.provision("plan", "--only", "postgres-pgvector")
        #expect(only.standardOutput.contains("Plan: 3 components in 2 waves"))
        #expect(!only.standardOutput.contains("redis"))
        let unknown = try await world.provision("plan", "--only", "mysql")
        #expect(unknown.exitCode == 2)
        #expect(unknown.standardError.contains("unknown component `mysql`"))
    }

    @Test("components lists every registered component with optional flag and dependencies")
    func components() async throws {
        let world = try FakeWorld()
        let result = try await world.provision("components")
        #expect(result.exitCode == 0, "\(result)")
        let rows = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("ID") == true)
        for id in StackCatalog.all.map(\.id.rawValue) {
            #expect(rows.contains { $0.hasPrefix(id + " ") }, "\(id) missing")
        }
        let optional = try #require(rows.first { $0.hasPrefix("authentik-redis ") })
        #expect(optional.contains(" yes "))
        let authentik = try #require(rows.first { $0.hasPrefix("authentik ") })
        #expect(authentik.contains(" no ") && authentik.contains(AuthentikComponent().dependencies.map(\.rawValue).joined(separator: ", ")))
        #expect(world.calls.isEmpty)
    }

    @Test("--help documents the subcommands, examples and exit codes")
    func help() async throws {
        let world = try FakeWorld()
        let result = try await world.provision("--help")
        #expect(result.exitCode == 0)
        let out = result.standardOutput
        for subcommand in ["up", "down", "status", "plan", "history", "components"] {
            #expect(out.contains("\n  \(subcommand) "), "\(subcommand) missing from help")
        }
        #expect(out.contains("EXAMPLES:"))
        for code in ["0    success", "1    a step failed", "2    usage error", "3    preflight failed",
                     "4    another provision run", "130  interrupted by SIGINT"] {
            #expect(out.contains(code), "exit code line '\(code)' missing")
        }
        let upHelp = try await world.provision("up", "--help")
        for flag in ["--backend", "--cluster", "--manifests", "--overlay", "--state-dir", "--only", "--with",
                     "--concurrency", "--timeout", "--show-secrets"] {
            #expect(upHelp.standardOutput.contains(flag), "\(flag) missing from up --help")
        }
        let downHelp = try await world.provision("down", "--help")
        #expect(downHelp.standardOutput.contains("--purge-data") && downHelp.standardOutput.contains("--yes"))
        #expect(world.calls.isEmpty)
    }

    @Test("usage errors exit 2 and say what is wrong")
    func usageErrors() async throws {
        let world = try FakeWorld()
        let backend = try await world.provision("up", "--backend", "openshift")
        #expect(backend.exitCode == 2)
        #expect(backend.standardError.contains("there is no backend 'openshift'"))
        #expect(backend.standardError.contains(
            "pass --backend with one of: " + BackendRegistry.all.map(\.name).joined(separator: ", ")))
        let flag = try await world.provision("up", "--frobnicate")
        #expect(flag.exitCode == 2)
        let manifests = try await world.provision("up", "--manifests", world.root.appending(path: "nowhere").path)
        #expect(manifests.exitCode == 2)
        #expect(manifests.standardError.contains("has no overlays/ subdirectory"))
        let overlay = try await world.provision("up", "--overlay", "production")
        #expect(overlay.exitCode == 2)
        #expect(overlay.standardError.contains("overlay 'production' does not exist"))
        #expect(overlay.standardError.contains("local"))
        #expect(world.calls.isEmpty)
    }

    @Test("outside a repository provision says it found no k8s/ directory")
    func noManifestsDirectory() async throws {
        let world = try FakeWorld()
        let elsewhere = world.root.appending(path: "elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let result = try await ChildProcess.run(
            [try #require(BuildProducts.provision).path, "up"],
            environment: world.environment, workingDirectory: elsewhere, limit: 60)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.standardError.contains("no k8s/ directory with overlays/ found"))
        #expect(result.standardError.contains("--manifests"))
    }

    @Test("history on an empty store is friendly; an unknown run id exits 2")
    func emptyHistory() async throws {
        let world = try FakeWorld()
        let empty = try await world.provision("history")
        #expect(empty.exitCode == 0)
        #expect(empty.standardOutput.contains("No runs recorded yet"))
        #expect(!FileManager.default.fileExists(atPath: StateStore.file(in: world.stateDirectory).path))
        let json = try await world.provision("history", "--json")
        #expect(json.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        // A run asked for before any was recorded: `history N` answers as `history show N`.
        let early = try await world.provision("history", "7")
        let earlyShow = try await world.provision("history", "show", "7")
        #expect(early.exitCode == 2 && earlyShow.exitCode == 2)
        #expect(early.standardError == earlyShow.standardError && early.standardOutput.isEmpty, "\(early)")
        #expect(early.standardError.contains("no history in \(StateStore.file(in: world.stateDirectory).path)"))
        #expect(try await world.provision("up", "--only", "namespaces").exitCode == 0)
        let missing = try await world.provision("history", "42")
        #expect(missing.exitCode == 2)
        #expect(missing.standardError.contains("run 42 does not exist"))
    }

    @Test("history --json parses; filters by outcome and component; --limit")
    func historyJSONAndFilters() async throws {
        let world = try FakeWorld()
        #expect(try await world.provision("up", "--only", "namespaces").exitCode == 0)
        #expect(try await world.provision("up", "--only", "redis", environment: ["FAKE_EXEC_FAIL": ""]).exitCode == 0)
        #expect(try await world.provision("up", "--only", "redis", environment: ["FAKE_ROLLOUT_TIMEOUT": "redis"]).exitCode == 1)

        let all = try await world.provision("history", "--json")
        let parsed = try JSONSerialization.jsonObject(with: Data(all.standardOutput.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 3)
        #expect(parsed?.first?["outcome"] as? String == "failed")
        #expect(parsed?.first?["commandLine"] as? [String] == ["provision", "up", "--only", "redis"])

        let failed = try await world.provision("history", "--outcome", "failed")
        #expect(failed.standardOutput.contains("#3") && !failed.standardOutput.contains("#1 "))
        let redis = try await world.provision("history", "--component", "redis", "--json")
        let redisRuns = try FakeWorld.decoder.decode([RunRecord].self, from: Data(redis.standardOutput.utf8))
        #expect(redisRuns.map(\.id.rawValue) == [3, 2])
        let limited = try FakeWorld.decoder.decode(
            [RunRecord].self, from: Data(try await world.provision("history", "--json", "--limit", "1").standardOutput.utf8))
        #expect(limited.map(\.id.rawValue) == [3])

        let table = try await world.provision("history")
        let lines = table.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("RUN") == true)
        #expect(lines[1].hasPrefix("#3") && lines[1].contains("failed") && lines[1].contains("redis"))
        #expect(lines[3].hasPrefix("#1") && lines[3].contains("succeeded"))

        let steps = try await world.provision("history", "#3")
        #expect(steps.exitCode == 0)
        for column in ["COMPONENT", "ACTION", "STATE", "DURATION", "ATTEMPT", "DIGEST"] {
            #expect(steps.standardOutput.contains(column))
        }
        #expect(steps.standardOutput.contains("Run #3: failed"))
    }

    @Test("--state-dir overrides PROVISION_STATE_DIR for the history and the secrets")
    func stateDirectoryFlag() async throws {
        let world = try FakeWorld()
        let elsewhere = world.root.appending(path: "elsewhere-state")
        let up = try await world.provision("up", "--only", "redis", "--state-dir", elsewhere.path)
        #expect(up.exitCode == 0, "\(up)")
        #expect(FileManager.default.fileExists(atPath: StateStore.file(in: elsewhere).path))
        #expect(FileManager.default.fileExists(
            atPath: SecretVault(stateDirectory: elsewhere, cluster: "wrightnow").fileURL(for: "redis-credentials").path))
        #expect(!FileManager.default.fileExists(atPath: world.stateDirectory.path))
        let history = try await world.provision("history", "--state-dir", elsewhere.path)
        #expect(history.standardOutput.contains("#1"))
        let fromEnvironment = try await world.provision("history")
        #expect(fromEnvironment.standardOutput.contains("No runs recorded yet"))
    }

    @Test("status reports the cluster and each component, writes no history")
    func status() async throws {
        let world = try FakeWorld()
        let before = try await world.provision("status")
        #expect(before.exitCode == 1, "\(before)")
        #expect(before.standardOutput.contains("Cluster wrightnow does not exist"))
        #expect(before.standardOutput.contains("provision up"))

        #expect(try await world.provision("up").exitCode == 0)
        try world.clearCalls()
        let healthy = try await world.provision("status")
        #expect(healthy.exitCode == 0, "\(healthy)")
        #expect(healthy.standardOutput.contains("Cluster wrightnow exists"))
        for id in ["namespaces", "postgres-pgvector", "redis", "ingress-nginx", "authentik"] {
            #expect(healthy.standardOutput.split(separator: "\n").contains { $0.hasPrefix(id + " ") && $0.contains("ready") })
        }
        #expect(world.calls(containing: " apply ").isEmpty, "status must not change anything: \(world.calls)")
        #expect(world.calls(containing: "kind create").isEmpty)
        #expect(try await world.historyRuns().count == 1)

        try world.clearCalls()
        let smoke = try await world.provision("status", "--smoke", "--only", "redis")
        #expect(smoke.exitCode == 0, "\(smoke)")
        #expect(smoke.standardOutput.split(separator: "\n").contains { $0.hasPrefix("redis ") && $0.contains("smoke check passed") })
        #expect(world.calls.contains { $0.contains("redis-cli ping") })
        #expect(world.calls(containing: " apply ").isEmpty)

        let unhealthy = try await world.provision("status", environment: ["FAKE_ROLLOUT_TIMEOUT": "redis"])
        #expect(unhealthy.exitCode == 1)
        #expect(unhealthy.standardOutput.split(separator: "\n").contains { $0.hasPrefix("redis ") && $0.contains("NOT READY") })

        let stub = try await world.provision("status", "--backend", "aks")
        #expect(stub.exitCode == 3)
        #expect(stub.standardError.contains("not implemented yet"))
    }
}
