import Foundation
import ProvisionCore
import RunHistory
import TestSupport

/// A component of the simulated stack: sleeps for its duration instead of deploying.
struct SimulatedComponent: Component {
    var id: ComponentID
    var summary: String { "simulated" }
    var dependencies: [ComponentID]
    var duration: Duration
}

/// A random DAG of `count` components with random durations, the same for the same seed.
func simulatedStack(count: Int, seed: UInt64) -> [SimulatedComponent] {
    var random = SeededGenerator(seed: seed)
    var components: [SimulatedComponent] = []
    for index in 0..<count {
        // Each earlier component is a dependency with probability 0.15, at most three.
        let candidates = (0..<index).filter { _ in Double.random(in: 0..<1, using: &random) < 0.15 }
        let dependencies = candidates.shuffled(using: &random).prefix(3).map { components[$0].id }
        components.append(
            SimulatedComponent(
                id: ComponentID(String(format: "c%02d", index)),
                dependencies: dependencies.sorted(),
                duration: .milliseconds(Int.random(in: 50...500, using: &random))))
    }
    return components
}

/// The longest chain of durations: no scheduler can finish sooner.
func criticalPath(of components: [SimulatedComponent]) -> Duration {
    var finish: [ComponentID: Duration] = [:]
    for component in components {  // already in dependency order
        let start = component.dependencies.map { finish[$0]! }.max() ?? .zero
        finish[component.id] = start + component.duration
    }
    return finish.values.max() ?? .zero
}

/// What a scheduler that waits for each whole layer would take.
func layerByLayer(of components: [SimulatedComponent], plan: Plan) -> Duration {
    let byID = Dictionary(uniqueKeysWithValues: components.map { ($0.id, $0) })
    return plan.waves.map { wave in wave.map { byID[$0]!.duration }.max() ?? .zero }
        .reduce(.zero, +)
}

/// A provider with a cluster that is always there.
struct ExistingClusterProvider: ClusterProvider {
    var name: String { "simulated" }
    func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport { PreflightReport() }
    func clusterExists(_ cluster: ClusterSpec) async throws -> Bool { true }
    func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning { .reused }
    func deleteCluster(_ cluster: ClusterSpec) async throws {}
    func kubeContext(for cluster: ClusterSpec) -> String { "simulated" }
}

/// A deployment whose apply sleeps for the component's duration; everything else is instant.
struct SleepingDeployment: ComponentDeployment {
    func prepare(_ component: any Component) async throws -> ComponentRelease {
        ComponentRelease(
            component: component, body: "simulated \(component.id)",
            objects: [AppliedObject(reference: "Simulated/\(component.id)", digest: "sha256:\(component.id)")])
    }
    func apply(_ release: ComponentRelease) async throws {
        try await Task.sleep(for: (release.component as! SimulatedComponent).duration)
    }
    func waitUntilReady(_ release: ComponentRelease, timeout: Duration) async throws {}
    func smokeCheck(_ release: ComponentRelease) async throws {}
    func remove(_ release: ComponentRelease, keepingData: Bool, timeout: Duration) async throws -> String { "" }
}

enum SimulatedDeployBenchmark {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5]
    static let componentCount = 20

    static func run() async throws -> Bool {
        print("1. Simulated deploy: \(componentCount) components, random DAG and durations (50-500 ms), seeds \(seeds)")
        print("   goal: wall time <= critical path * 1.10 + 50 ms\n")
        var table = Table(header: [
            "seed", "edges", "waves", "critical path", "layer-by-layer", "Scheduler wall", "Deployer+store wall", "goal", "met",
        ])
        var allMet = true
        let directory = FileManager.default.temporaryDirectory.appending(path: "provision-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StateStore(url: StateStore.file(in: directory))

        for seed in seeds {
            let components = simulatedStack(count: componentCount, seed: seed)
            let plan = try Plan(components: components)
            let critical = criticalPath(of: components)
            let goal = critical * 1.10 + .milliseconds(50)

            let clock = ContinuousClock()
            let scheduler = Scheduler(maxConcurrency: componentCount, stepTimeout: .seconds(60))
            let schedulerWall = await clock.measure {
                let result = await scheduler.run(plan) { component in
                    try await Task.sleep(for: (component as! SimulatedComponent).duration)
                }
                precondition(result.succeeded)
            }

            // The same deploy through the Deployer, writing every step to a real SQLite file.
            let deployer = Deployer(
                provider: ExistingClusterProvider(), deployment: SleepingDeployment(), store: store, options: DeployOptions(maxConcurrency: componentCount))
            let cluster = ClusterSpec(name: "bench", manifestsRoot: directory, overlay: "local")
            var deployerWall = Duration.zero
            try await {
                let started = clock.now
                let report = try await deployer.up(
                    cluster: cluster, plan: plan,
                    invocation: RunInvocation(commandLine: ["provision-bench"], toolVersion: "bench"))
                deployerWall = clock.now - started
                precondition(report.succeeded)
            }()

            let met = schedulerWall <= goal && deployerWall <= goal
            allMet = allMet && met
            table.add([
                "\(seed)", "\(components.map(\.dependencies.count).reduce(0, +))", "\(plan.waves.count)",
                critical.milliseconds, layerByLayer(of: components, plan: plan).milliseconds,
                schedulerWall.milliseconds, deployerWall.milliseconds, goal.milliseconds, met ? "yes" : "NO",
            ])
        }
        print(table.render())
        print()
        return allMet
    }
}
