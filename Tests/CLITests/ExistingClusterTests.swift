import Components
import Foundation
import ProvisionCore
import Testing
import TestSupport

/// `--backend existing` end to end against the fake tools: a cluster provision did not
/// create, reached through a kubeconfig context.
@Suite("an existing cluster")
struct ExistingClusterTests {
    /// A world whose kubeconfig has the context `team-staging` of a running cluster.
    static func world(environment: [String: String] = [:]) throws -> FakeWorld {
        let world = try FakeWorld(environment: environment)
        try world.addCluster("team-staging", context: "team-staging")
        return world
    }

    /// Calls to the cluster: everything but reading the kubeconfig and rendering offline.
    static func clusterCalls(_ world: FakeWorld) -> [String] {
        world.calls.filter { $0.hasPrefix("kubectl") && !$0.hasPrefix("kubectl config get-contexts") && !$0.hasPrefix("kubectl kustomize") }
    }

    @Test("up --backend existing --context team-staging deploys without kind or docker, every call naming the context")
    func upOnAnExistingCluster() async throws {
        let world = try Self.world()
        let up = try await world.run("up", "--backend", "existing", "--context", "team-staging")
        #expect(up.exitCode == 0, "\(up)")
        #expect(!world.calls.contains { $0.hasPrefix("kind ") || $0.hasPrefix("docker ") }, "\(world.calls)")
        // The way down names this cluster again: its backend and context, no data directory.
        #expect(up.standardOutput.contains("Tear down: provision down --backend existing --context team-staging\n"), "\(up)")
        let calls = Self.clusterCalls(world)
        #expect(!calls.isEmpty)
        for call in calls { #expect(call.hasPrefix("kubectl --context team-staging "), "\(call)") }
        #expect(world.calls.contains("kubectl --context team-staging get --raw /readyz"))
        // The run says which cluster it reached.
        let run = try await world.lastRun().run
        #expect(run.backend == "existing")
        #expect(run.context == "team-staging")
        #expect(run.server == "https://203.0.113.7:6443")
        #expect(try await world.lastRun().steps.first?.note?.contains("server v1.36.2") == true)
        let detail = try await world.run("history", "\(run.id.rawValue)")
        #expect(detail.standardOutput.contains("team-staging") && detail.standardOutput.contains("https://203.0.113.7:6443"))
    }

    @Test("--overlay cluster: storage is skipped, smoke checks go to the Gateway's published address with the route host")
    func genericOverlay() async throws {
        let world = try Self.world()
        let up = try await world.run("up", "--backend", "existing", "--context", "team-staging", "--overlay", "cluster")
        #expect(up.exitCode == 0, "\(up)")
        let steps = try await world.lastRun().steps
        let storage = try #require(steps.first { $0.component == "storage" })
        #expect(storage.state == .skipped)
        #expect(storage.note == "nothing to deploy: overlay `cluster` has no objects of this component")
        // The generic overlay selects the Gateway API edge: the seed's ingress-nginx has nothing
        // here either, nor has kind's local registry (a cluster provision did not make has none).
        let skipped = steps.filter { $0.action == "deploy" && $0.state == .skipped }.compactMap(\.component)
        #expect(Set(skipped) == ["storage", "ingress-nginx", "local-registry"], "\(steps)")
        #expect(steps.filter { $0.action == "deploy" && !skipped.contains($0.component ?? "") }.allSatisfy { $0.state == .succeeded })
        #expect(world.calls.contains {
            $0 == "curl -fsS --max-time 10 -H Host: staging.wrightnow.example http://203.0.113.10/auth/api/v3/root/config/"
        }, "\(world.calls.filter { $0.hasPrefix("curl") })")
        #expect(!world.calls.contains { $0.hasPrefix("curl") && $0.contains("localhost/auth") })
        #expect(!world.calls.contains { $0.hasPrefix("kind ") || $0.hasPrefix("docker ") })
        for call in Self.clusterCalls(world) { #expect(call.hasPrefix("kubectl --context team-staging "), "\(call)") }
    }

    @Test("without --context, kubectl's current context is used and named")
    func currentContext() async throws {
        let world = try Self.world(environment: ["FAKE_CURRENT_CONTEXT": "team-staging"])
        let up = try await world.run("up", "--backend", "existing", "--only", "namespaces")
        #expect(up.exitCode == 0, "\(up)")
        #expect(up.standardError.contains("Using kubectl's current context `team-staging`"))
        // Standard output stays the command's own: `status --json` is one JSON document.
        let status = try await world.run("status", "--backend", "existing", "--json")
        #expect(!status.standardOutput.contains("Using kubectl's current context"), "\(status)")
        #expect((try? JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8))) != nil, "\(status)")
        for call in Self.clusterCalls(world) where !call.hasPrefix("kubectl config current-context") {
            #expect(call.hasPrefix("kubectl --context team-staging "), "\(call)")
        }
    }

    @Test("a context that does not exist, or an API server that does not answer, is exit 3 with a fix")
    func preflightFailures() async throws {
        let world = try Self.world()
        let missing = try await world.run("up", "--backend", "existing", "--context", "prod")
        #expect(missing.exitCode == 3, "\(missing)")
        #expect(missing.standardError.contains("the kubeconfig has no context `prod`"))
        #expect(missing.standardError.contains("fix: pick one of: team-staging"))

        let down = try await world.run("up", "--backend", "existing", "--context", "team-staging",
                                       environment: ["FAKE_API_DOWN": "1"])
        #expect(down.exitCode == 3, "\(down)")
        #expect(down.standardError.contains("the API server of context `team-staging` does not answer"))
        #expect(down.standardError.contains("was refused - did you specify the right host or port?"))
        #expect(!world.calls.contains { $0.contains(" apply ") })
    }

    @Test("--context without --backend existing is a usage error")
    func contextNeedsExisting() async throws {
        let world = try FakeWorld()
        let result = try await world.provision("up", "--context", "team-staging")
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("--context goes with --backend existing"))
    }

    @Test("down --backend existing removes dependents first, keeps claims and namespaces, and records each step")
    func downRemovesTheStack() async throws {
        let world = try Self.world()
        #expect(try await world.run("up", "--backend", "existing", "--context", "team-staging").exitCode == 0)
        try world.clearCalls()

        let down = try await world.run("down", "--backend", "existing", "--context", "team-staging")
        #expect(down.exitCode == 0, "\(down)")
        #expect(!world.calls.contains { $0.hasPrefix("kind ") || $0.hasPrefix("docker ") })
        // Each step's note once, on its progress line, counted in words that agree.
        let redis = down.standardOutput.split(separator: "\n").filter { $0.contains("remove redis ") && $0.contains("kept") }
        #expect(redis.count == 1 && redis[0].contains("done") && redis[0].contains("; kept 1 claim (--purge-data deletes them)"), "\(down)")
        let deletes = world.calls.filter { $0.contains(" delete ") }
        #expect(!deletes.isEmpty)
        for call in deletes {
            #expect(call.hasPrefix("kubectl --context team-staging delete "), "\(call)")
            #expect(call.contains(" -l wrightnow/component="), "\(call)")
            #expect(!call.contains("PersistentVolumeClaim") && !call.contains("Namespace,") && !call.hasSuffix("Namespace"), "\(call)")
        }
        // Dependents before what they depend on.
        let order = deletes.compactMap { $0.firstMatch(of: /wrightnow\/component=([a-z0-9-]+)/).map { String($0.1) } }
        let plan = try Plan(components: StackCatalog.all, includeOptional: true)
        for id in order {
            for dependency in plan.dependencies(of: ComponentID(id)) where order.contains(dependency.rawValue) {
                #expect(order.firstIndex(of: id)! < order.firstIndex(of: dependency.rawValue)!, "\(id) before \(dependency)")
            }
        }
        let events = world.events.filter { $0.hasPrefix("deleted ") }
        #expect(events.contains("deleted Deployment/authentik-server"))
        #expect(events.contains("deleted Deployment/nginx-gateway"), "the upstream objects were labelled at apply")
        #expect(!events.contains { $0.hasPrefix("deleted PersistentVolumeClaim/") || $0.hasPrefix("deleted Namespace/") })
        let recorded = try await world.lastRun()
        #expect(recorded.steps.allSatisfy { $0.action == "remove" && $0.state == .succeeded })
        #expect(Set(recorded.steps.compactMap(\.component)) == Set(plan.order))
    }

    @Test("down --purge-data --yes on an existing cluster deletes the claims and namespaces too; without --yes it asks first")
    func downPurgesWhenConfirmed() async throws {
        let world = try Self.world()
        #expect(try await world.run("up", "--backend", "existing", "--context", "team-staging").exitCode == 0)
        let refused = try await world.run("down", "--backend", "existing", "--context", "team-staging", "--purge-data")
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.standardError.contains("no terminal to confirm it"))
        #expect(!world.events.contains { $0.hasPrefix("deleted ") })

        let purged = try await world.run("down", "--backend", "existing", "--context", "team-staging", "--purge-data", "--yes")
        #expect(purged.exitCode == 0, "\(purged)")
        let deletes = world.calls.filter { $0.contains(" delete ") }
        #expect(deletes.contains { $0.contains("PersistentVolumeClaim") })
        #expect(deletes.contains { $0.contains("Namespace") && $0.contains("wrightnow/component=namespaces") })
        #expect(world.events.contains("deleted Namespace/staging-infra"))
        #expect(world.events.contains("deleted PersistentVolumeClaim/redis-data"))
        // Namespaces go last, with the other components that depend on nothing (the plan's first
        // wave, removed side by side): nothing that lives in them is removed after them.
        let lastDelete = try #require(deletes.last)
        let lastWave = try #require(try Plan(components: StackCatalog.all, includeOptional: true).waves.first)
        #expect(lastWave.contains("namespaces"))
        #expect(lastWave.contains { lastDelete.contains("wrightnow/component=\($0.rawValue) ") }, "\(lastDelete)")
    }

    @Test("plan --down shows the removal order, dependents first")
    func planDown() async throws {
        let world = try FakeWorld()
        let result = try await world.run("plan", "--down")
        #expect(result.exitCode == 0)
        let plan = try Plan(components: StackCatalog.all)
        for (index, wave) in plan.waves.reversed().enumerated() {
            #expect(result.standardOutput.contains("wave \(index + 1): \(wave.map(\.rawValue).joined(separator: ", "))"))
        }
        #expect(world.calls.isEmpty)
    }
}
