import Backends
import Components
import Foundation
import Kubernetes
import ProvisionCore
import RunHistory
import TestSupport

/// Issue 18's measure: the image pulls that leave the machine on a first `up`, and on an `up`
/// after `down` with the caches kept, against the fake docker, kind and kubectl (whose node
/// pulls through the mirrors as containerd does, and whose mirrors keep what they pulled in
/// their volumes). The host's Docker pulls the registry image itself once; it is counted apart.
enum ImagePullBenchmark {
    static func run() async throws -> Bool {
        print("4. Image pulls that leave the machine: a first up, then down + up with the caches kept (fake tools)")
        print("   goal: 0 pulls leave the machine on the up after down\n")
        let stack = try FakeStack()
        let world = stack.world

        var table = Table(header: ["run", "images pulled from the internet", "registry image (host Docker)", "warm-up pulls", "outcome"])
        var afterDown = -1
        for label in ["first up", "up after down"] {
            let before = world.upstreamPulls
            let report = try await stack.deployer().up(cluster: stack.spec, plan: stack.plan, invocation: FakeStack.invocation)
            let new = world.upstreamPulls.dropFirst(before.count)
            let images = new.filter { !$0.hasSuffix(" by host docker") }.count
            table.add([
                label, "\(images)", "\(new.count - images)", "\(report.steps.filter { $0.action == .pull }.count)",
                report.outcome.rawValue,
            ])
            guard report.succeeded else {
                print(table.render())
                print("   the run failed: \(report.problem.map(String.init(describing:)) ?? "?")")
                return false
            }
            if label == "first up" {
                let down = try await stack.deployer().down(cluster: stack.spec, invocation: FakeStack.invocation)
                guard down.succeeded else {
                    print("   down failed: \(down.problem.map(String.init(describing:)) ?? "?")")
                    return false
                }
            } else {
                afterDown = new.count
            }
        }
        print(table.render())
        let met = afterDown == 0
        print("\n   up after down: \(afterDown) pulls left the machine: goal \(met ? "met" : "NOT met")\n")
        return met
    }
}
