import Backends
import Components
import Foundation
import Kubernetes
import ProcessRunning
import ProvisionCore
import RunHistory
import Synchronization
import TestSupport

/// A first `up` and a no-op `up` of the whole stack against the fake kind, kubectl, docker
/// and curl (TestSupport's FakeWorld), through a runner that records every subprocess: the
/// provider and deployment layer `provision up` composes, without the CLI's one `git status`.
enum ReRunBenchmark {
    /// Issue 11's 14 calls, plus the three of issue 16's check of authentik's UI and issue 18's
    /// one look at the image caches: 11 looks at the cluster and its caches and 7 smoke-check
    /// calls (ReRunTests holds the command to at most 11 calls besides the smoke checks, so a
    /// component added later does not break it).
    static let callGoal = 18

    static func run() async throws -> Bool {
        print("3. A first up and a no-op up of the stack against the fake tools, every subprocess, render and YAML parse counted")
        print("   goal: the no-op up makes 0 applies, 0 downloads and at most \(callGoal) subprocess calls, smoke checks included\n")
        let stack = try FakeStack()
        let (runner, spec, plan) = (stack.runner, stack.spec, stack.plan)
        let clock = ContinuousClock()

        var table = Table(header: [
            "run", "wall time", "subprocess calls", "renders", "YAML parses", "applies", "downloads", "outcome",
        ])
        var noOp: (calls: Int, applies: Int, downloads: Int) = (0, 0, 0)
        for label in ["first up", "no-op up"] {
            let deployer = stack.deployer()
            runner.reset()
            // Kustomizations rendered and YAML streams parsed, counted where each happens.
            let work = ManifestWork()
            let started = clock.now
            let report = try await ManifestWork.$counter.withValue(work) {
                try await deployer.up(
                    cluster: spec, plan: plan, invocation: FakeStack.invocation)
            }
            let wall = clock.now - started
            let calls = runner.calls
            let applies = calls.filter { $0.executable == "kubectl" && $0.arguments.contains("apply") }.count
            let downloads = calls.filter { $0.executable == "curl" && $0.arguments.contains { $0.hasSuffix("deploy.yaml") } }.count
            table.add([
                label, wall.milliseconds, "\(calls.count)", "\(work.renders)", "\(work.parses)", "\(applies)",
                "\(downloads)", report.outcome.rawValue,
            ])
            if label == "no-op up" { noOp = (calls.count, applies, downloads) }
            guard report.succeeded else {
                print(table.render())
                print("   the run failed: \(report.problem.map(String.init(describing:)) ?? "?")")
                return false
            }
        }
        print(table.render())
        let met = noOp.applies == 0 && noOp.downloads == 0 && noOp.calls <= callGoal
        print("\n   no-op up: \(noOp.calls) calls, \(noOp.applies) applies, \(noOp.downloads) downloads: goal \(met ? "met" : "NOT met")")
        print("   (`provision up` itself adds one `git status` for the history; ReRunTests counts the CLI's tool calls)\n")
        return met
    }
}

/// The whole stack against the fake tools, as `provision up` composes it: the catalog's plan,
/// the kind provider and the shared deployment layer on a fake world, every call recorded.
struct FakeStack {
    let world: FakeWorld
    let runner: RecordingRunner
    let spec: ClusterSpec
    let provider: KindProvider
    let store: StateStore
    let plan: Plan

    init() throws {
        world = try FakeWorld()
        runner = RecordingRunner(environment: world.environment)
        spec = ClusterSpec(name: "wrightnow", manifestsRoot: world.repository.appending(path: "k8s"), overlay: "local")
        provider = KindProvider(runner: runner)
        store = try StateStore(url: StateStore.file(in: world.stateDirectory))
        plan = try Plan(components: StackCatalog.all)
    }

    /// A new deployment layer each time, as each `provision` command is a new process.
    func deployer() -> Deployer {
        let deployment = KubernetesDeployment(
            cluster: spec, provider: provider, runner: runner, stateDirectory: world.stateDirectory)
        return Deployer(provider: provider, deployment: deployment, store: store)
    }

    static let invocation = RunInvocation(commandLine: ["provision-bench"], toolVersion: "bench")
}

/// The real command runner with the fake world's environment, recording (and so counting)
/// every subprocess call.
final class RecordingRunner: CommandRunner {
    let environment: [String: String]
    let base = SubprocessCommandRunner()
    private let recorded = Mutex<[Command]>([])

    init(environment: [String: String]) {
        self.environment = environment
    }

    var calls: [Command] { recorded.withLock { $0 } }
    func reset() { recorded.withLock { $0 = [] } }

    func execute(_ command: Command) async throws -> CommandOutput {
        recorded.withLock { $0.append(command) }
        var command = command
        command.environment = environment.merging(command.environment) { _, own in own }
        return try await base.execute(command)
    }
}
