import Backends
import Components
import Foundation
import ProcessRunning
import ProvisionCore
import Testing
import TestSupport

/// Follows docs/architecture.md's "Adding a backend" as a new team member would, for k3d: the
/// guide's provider type (compiled here, `K3dProvider`, test-only), its fake tool
/// (Tests/Fixtures/fake-tools/k3d) and the one line that lists its ``Backend`` (here the
/// in-process run's backends, not `BackendRegistry.all`, so users get no `--backend k3d`). Then
/// `up --backend k3d` and `down --backend k3d` go through the shared host pieces, the deployment
/// layer, the CLI and the history untouched.
@Suite("following the add-a-backend guide")
struct BackendGuideTests {
    /// `provision` with k3d registered. The edge's host port is a free one, as FakeWorld moves
    /// kind's from 80: the test must not depend on port 80 being free.
    static func provision(_ world: FakeWorld) -> InProcess {
        let port = world.hostPorts[0]
        let k3d = K3dProvider.backend
        let backend = Backend(
            name: k3d.name, summary: k3d.summary, takesContext: k3d.takesContext,
            clusterNameProblem: k3d.clusterNameProblem,
            makeProvider: { K3dProvider(runner: $0.runner, edgePort: port) })
        return InProcess(world: world, backends: BackendRegistry.all + [backend])
    }

    /// Calls that reach the cluster: every kubectl call but rendering, the client's version and
    /// reading or switching the kubeconfig's current context.
    static func clusterCalls(_ world: FakeWorld) -> [String] {
        world.calls.filter {
            $0.hasPrefix("kubectl ") && !$0.hasPrefix("kubectl kustomize") && !$0.hasPrefix("kubectl version --client")
                && !$0.hasPrefix("kubectl config ")
        }
    }

    static func runs(_ provision: InProcess) async throws -> [RunRecord] {
        let history = try await provision.run("history", "--json")
        #expect(history.exitCode == 0, "\(history)")
        return try FakeWorld.decoder.decode([RunRecord].self, from: Data(history.standardOutput.utf8))
    }

    /// What a user reads of a run, less the command lines it quotes.
    static func messages(_ outcome: InProcess.Outcome) -> String {
        outcome.standardOutput + outcome.standardError
    }

    @Test("the guide's sketch of the provider type is the k3d provider's own code")
    func sketchIsTheProvider() throws {
        let text = try #require(try Repository.section("Adding a backend", of: "docs/architecture.md"))
        let sketch = try #require(text.firstMatch(of: /```swift\n((?:.|\n)*?)```/)?.1, "no swift sketch")
        let provider = Set(try Repository.read("Tests/CLITests/Guide/K3dProvider.swift")
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let code = sketch.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("//") && !["}", "{", "]", ")"].contains($0) }
        #expect(code.count > 10)
        for line in code { #expect(provider.contains(line), "the guide's `\(line)` is not in K3dProvider.swift") }
        // Test-only: users get no k3d backend.
        #expect(BackendRegistry.named("k3d") == nil)
    }

    @Test("up --backend k3d: shared preflight, k3d cluster create, every component on k3d-wrightnow, recorded as k3d")
    func upAndDown() async throws {
        let world = try FakeWorld()
        let provision = Self.provision(world)

        let up = try await provision.run("up", "--backend", "k3d")
        #expect(up.exitCode == 0, "\(up)")
        // Preflight: the shared ToolProbe (k3d, kubectl, docker) and DockerDaemon.
        for call in ["k3d version", "kubectl version --client", "docker version --format {{.Client.Version}}",
                     "docker info --format {{.ServerVersion}}"] {
            #expect(world.calls.contains(call), "\(call)")
        }
        #expect(up.standardOutput.contains("k3d v5.9.0"), "\(up)")
        // The cluster, through the fake k3d, which wrote its context k3d-wrightnow; kubectl's
        // current context is the one k3d switched to (there was none before).
        #expect(world.calls.contains {
            $0 == "k3d cluster create wrightnow --port 127.0.0.1:\(world.hostPorts[0]):30080@loadbalancer "
                + "--k3s-arg=--disable=traefik@server:* --wait --timeout 300s"
        }, "\(world.calls.filter { $0.hasPrefix("k3d") })")
        #expect(world.events.first == "created cluster wrightnow")
        // Every component the overlay selects, on k3d's context; the retired edge is skipped.
        let runs = try await Self.runs(provision)
        let run = try #require(runs.first)
        #expect(run.backend == "k3d" && run.outcome == .succeeded)
        #expect(run.context == "k3d-wrightnow")
        let detail = try await provision.run("history", "\(run.id.rawValue)", "--json")
        let steps = try FakeWorld.decoder.decode(FakeWorld.RunWithSteps.self, from: Data(detail.standardOutput.utf8)).steps
        let deploys = steps.filter { $0.action == .deploy }
        #expect(deploys.count == StackCatalog.all.filter { !$0.isOptional }.count)
        #expect(deploys.allSatisfy { $0.state == .succeeded || $0.component == "ingress-nginx" }, "\(deploys)")
        #expect(deploys.first { $0.component == "ingress-nginx" }?.state == .skipped)
        let calls = Self.clusterCalls(world)
        #expect(!calls.isEmpty)
        for call in calls { #expect(call.contains("--context k3d-wrightnow "), "\(call)") }
        #expect(world.events.contains("ready gateway/wrightnow") && world.events.contains("ready httproute/authentik"))
        // The summary's way back is this backend's, with no data directory to keep.
        #expect(up.standardOutput.contains("Tear down: provision down --backend k3d\n"), "\(up)")
        // The edge's smoke check went where k3d's load balancer publishes it.
        #expect(world.calls.contains { $0.hasPrefix("curl") && $0.contains("http://localhost:\(world.hostPorts[0])/") })
        // Nothing of kind's: no kind call, no kind node asked about.
        #expect(!world.calls.contains { $0.hasPrefix("kind ") || $0.hasPrefix("docker container") || $0.hasPrefix("docker ps") })

        // A second up reuses it: `k3d cluster list` lists it with its server running.
        try world.clearCalls()
        let again = try await provision.run("up", "--backend", "k3d")
        #expect(again.exitCode == 0, "\(again)")
        #expect(!world.calls.contains { $0.hasPrefix("k3d cluster create") })
        // The run is recorded once preflight passed: with the cluster there, with the API server
        // k3d wrote into its context.
        #expect(try await Self.runs(provision).first?.server == "https://0.0.0.0:43817")

        let down = try await provision.run("down", "--backend", "k3d")
        #expect(down.exitCode == 0, "\(down)")
        #expect(world.calls.contains("k3d cluster delete wrightnow"))
        #expect(world.events.last == "deleted cluster wrightnow")
        #expect(!FileManager.default.fileExists(atPath: world.fakeState.appending(path: "contexts/k3d-wrightnow").path))
        #expect(try await Self.runs(provision).first?.backend == "k3d")
        // k3d deletes an unknown cluster without complaint (it says "No nodes found"), so a
        // second down succeeds too.
        let downAgain = try await provision.run("down", "--backend", "k3d")
        #expect(downAgain.exitCode == 0, "\(downAgain)")
        for outcome in [up, again, down, downAgain] {
            let text = Self.messages(outcome)
            #expect(text.firstMatch(of: /\bkind\b|kind-|docker port|docker start/) == nil, "\(text)")
        }
    }

    @Test("a stopped k3d cluster: preflight's fix and the API server refusal's fix are k3d's")
    func remediesAreK3ds() async throws {
        let world = try FakeWorld()
        let provision = Self.provision(world)
        let up = try await provision.run("up", "--backend", "k3d", "--only", "namespaces")
        #expect(up.exitCode == 0, "\(up)")

        // `k3d cluster stop` leaves the server container exited: k3d lists it as 0/1 running.
        try "exited\n".write(to: world.fakeState.appending(path: "clusters/wrightnow"), atomically: true, encoding: .utf8)
        let stopped = try await provision.run("up", "--backend", "k3d", "--only", "namespaces")
        #expect(stopped.exitCode == 3, "\(stopped)")
        #expect(stopped.standardError.contains("servers are stopped (0/1 running)"), "\(stopped)")
        #expect(stopped.standardError.contains("fix: start it: `k3d cluster start wrightnow`"), "\(stopped)")

        // The API server stops answering after preflight passed: kubectl's refusal, k3d's fix.
        try "running\n".write(to: world.fakeState.appending(path: "clusters/wrightnow"), atomically: true, encoding: .utf8)
        let refused = try await provision.run(["up", "--backend", "k3d", "--only", "namespaces"], environment: ["FAKE_API_DOWN": "1"])
        #expect(refused.exitCode != 0, "\(refused)")
        #expect(refused.standardError.contains("the API server of context `k3d-wrightnow`"), "\(refused)")
        #expect(refused.standardError.contains("`k3d cluster start wrightnow` starts them"), "\(refused)")

        for outcome in [up, stopped, refused] {
            let text = Self.messages(outcome)
            #expect(text.firstMatch(of: /\bkind\b|kind-|docker port|docker start/) == nil, "\(text)")
        }
    }

    @Test("k3d's refusal to create a cluster that exists is reported with its own words")
    func createOfAnExistingCluster() async throws {
        let world = try FakeWorld()
        let up = try await Self.provision(world).run("up", "--backend", "k3d", "--only", "namespaces")
        #expect(up.exitCode == 0, "\(up)")
        // As if the cluster appeared between preflight and the create step.
        let provider = K3dProvider(runner: EnvironmentRunner(environment: world.environment), edgePort: world.hostPorts[0])
        let spec = ClusterSpec(name: "wrightnow", manifestsRoot: world.repository.appending(path: "k8s"), overlay: "local")
        let problem = try await #require(throws: Problem.self) { try await provider.ensureCluster(spec, exists: false) }
        #expect(problem.problem.contains("a k3d cluster of that name appeared since preflight"))
        let cause = try #require(problem.cause as? CommandError)
        #expect(cause.reason == .exited(1))
        #expect(cause.output?.standardError.contains(
            "Failed to create cluster 'wrightnow' because a cluster with that name already exists") == true)
        #expect(cause.output?.standardOutput.isEmpty == true)
    }
}
