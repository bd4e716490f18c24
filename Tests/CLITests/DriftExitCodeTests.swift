import Foundation
import Testing
import TestSupport
@testable import ProvisionCLI

/// `status --exit-code` and `status --json`: drift as an exit code and as a verdict a CI job
/// can read, through the fake kubectl's drift (`$FAKE_STATE/drift/...`) and its objects.
@Suite("status --exit-code and --json")
struct DriftExitCodeTests {
    /// The parts of `status --json` a CI job reads.
    struct Document: Decodable {
        struct Cluster: Decodable { var name: String; var exists: Bool }
        struct Difference: Decodable, Equatable { var component: String; var object: String; var change: String; var fields: [String]? }
        struct Component: Decodable { var id: String; var ready: Bool; var sync: String; var notReady: [String] }
        var verdict: String
        var cluster: Cluster
        var differences: [Difference]
        var components: [Component]
    }

    static func document(_ outcome: InProcess.Outcome) throws -> Document {
        try JSONDecoder().decode(Document.self, from: Data(outcome.standardOutput.utf8))
    }

    static let drifted = ProvisionExit.drifted.rawValue

    @Test("in sync exits 0; an object changed and one deleted by hand exit with the drift code, each named, and the JSON says so")
    func driftedObjects() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)

        let clean = try await world.run("status", "--only", "redis", "--exit-code")
        #expect(clean.exitCode == 0, "\(clean)")
        let cleanJSON = try await world.run("status", "--only", "redis", "--json", "--exit-code")
        #expect(cleanJSON.exitCode == 0, "\(cleanJSON)")
        let inSync = try Self.document(cleanJSON)
        #expect(inSync.verdict == "in-sync" && inSync.differences.isEmpty && inSync.cluster.exists, "\(cleanJSON)")
        #expect(inSync.components.map(\.id).contains("redis") && inSync.components.allSatisfy { $0.ready })

        // Someone scales redis by hand and deletes its network policy.
        let drift = world.fakeState.appending(path: "drift/wrightnow/staging-infra/Deployment")
        try FileManager.default.createDirectory(at: drift, withIntermediateDirectories: true)
        try "-  replicas: 3\n+  replicas: 1\n".write(to: drift.appending(path: "redis"), atomically: true, encoding: .utf8)
        let policy = world.fakeState.appending(path: "objects/wrightnow/staging-infra/NetworkPolicy/redis-from-apps")
        #expect(FileManager.default.fileExists(atPath: policy.path))
        try FileManager.default.removeItem(at: policy)

        // Without --exit-code drift alone is no failure, as before.
        let plain = try await world.run("status", "--only", "redis")
        #expect(plain.exitCode == 0, "\(plain)")
        #expect(plain.standardOutput.split(separator: "\n").contains { $0.hasPrefix("redis ") && $0.contains("missing") })

        let gate = try await world.run("status", "--only", "redis", "--exit-code")
        #expect(gate.exitCode == Self.drifted, "\(gate)")
        let lines = gate.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("redis ") && $0.hasSuffix("changed Deployment/staging-infra/redis: replicas") }, "\(gate)")
        #expect(lines.contains { $0.hasPrefix("redis ") && $0.hasSuffix("missing NetworkPolicy/staging-infra/redis-from-apps") }, "\(gate)")
        #expect(lines.last?.contains("differs from k8s/ (exit code \(Self.drifted))") == true, "\(gate)")

        let expected: [Document.Difference] = [
            .init(component: "redis", object: "NetworkPolicy/staging-infra/redis-from-apps", change: "missing"),
            .init(component: "redis", object: "Deployment/staging-infra/redis", change: "changed", fields: ["replicas"]),
        ]
        // The same verdict with and without --exit-code; only the exit code differs.
        for (arguments, code) in [(["--json"], 0), (["--json", "--exit-code"], Self.drifted)] {
            let json = try await InProcess(world: world).run(["status", "--only", "redis"] + arguments)
            #expect(json.exitCode == code, "\(json)")
            let document = try Self.document(json)
            #expect(document.verdict == "drifted")
            #expect(document.differences == expected, "\(document.differences)")
            #expect(document.components.first { $0.id == "redis" }?.sync == "missing")
        }

        // The executable exits with the code, not only the in-process run.
        let binary = try await world.provision("status", "--only", "redis", "--exit-code")
        #expect(binary.exitCode == Self.drifted, "\(binary)")
    }

    @Test("a component that is not ready keeps the failure code 1 under --exit-code, as without it: 6 is drift only")
    func notReady() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)
        let stalled = ["FAKE_ROLLOUT_TIMEOUT": "redis"]

        let gate = try await world.run("status", "--only", "redis", "--exit-code", environment: stalled)
        #expect(gate.exitCode == 1, "\(gate)")
        #expect(gate.standardOutput.split(separator: "\n").contains {
            $0.hasPrefix("redis ") && $0.hasSuffix("not ready: Deployment/staging-infra/redis: 0 of 1 replicas ready")
        }, "\(gate)")
        #expect(gate.standardOutput.contains("matches k8s/ but is not ready (exit code 1)"), "\(gate)")

        let json = try await world.run("status", "--only", "redis", "--json", environment: stalled)
        #expect(json.exitCode == 1, "\(json)")
        let document = try Self.document(json)
        #expect(document.verdict == "not-ready" && document.differences.isEmpty)
        let redis = try #require(document.components.first { $0.id == "redis" })
        #expect(!redis.ready && redis.sync == "in-sync" && redis.notReady == ["Deployment/staging-infra/redis: 0 of 1 replicas ready"])

        let plain = try await world.run("status", "--only", "redis", environment: stalled)
        #expect(plain.exitCode == 1, "\(plain)")
        #expect(!plain.standardOutput.contains("DIFFERS FROM"), "the list is --exit-code's: \(plain)")
    }

    @Test("no cluster is nothing to compare: exit 1 with or without --exit-code, and the JSON verdict no-cluster")
    func noCluster() async throws {
        let world = try FakeWorld()
        let gate = try await world.run("status", "--exit-code")
        #expect(gate.exitCode == 1, "\(gate)")
        #expect(gate.standardOutput.contains("Cluster wrightnow does not exist"))

        let json = try await world.run("status", "--json", "--exit-code")
        #expect(json.exitCode == 1, "\(json)")
        let document = try Self.document(json)
        #expect(document.verdict == "no-cluster" && !document.cluster.exists && document.cluster.name == "wrightnow")
        #expect(document.components.isEmpty && document.differences.isEmpty)
    }
}
