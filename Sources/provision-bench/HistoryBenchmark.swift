import Foundation
import ProvisionCore
import RunHistory
import TestSupport

/// Fills a store with 10,000 runs of 10 steps each and times the queries
/// `provision history` makes.
enum HistoryBenchmark {
    static let runCount = 10_000
    static let stepsPerRun = 10
    static let components: [ComponentID] = [
        "namespaces", "storage", "postgres-pgvector", "redis", "ingress-nginx", "authentik", "authentik-redis", "extra",
    ]
    static let goal = Duration.milliseconds(100)

    static func run() async throws -> Bool {
        print("2. History queries on a store with \(runCount) runs and \(runCount * stepsPerRun) steps whose deploy steps carry manifests")
        print("   goal: each query < \(goal.milliseconds) (median of 20; the first, cold call shown too)\n")
        let directory = FileManager.default.temporaryDirectory.appending(path: "provision-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = StateStore.file(in: directory)

        let clock = ContinuousClock()
        let fillTime = try clock.measure { try fill(StateStore(url: url)) }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        let wal = (try? FileManager.default.attributesOfItem(atPath: url.path + "-wal")[.size] as? Int) ?? 0
        print("   filled through the public API in \(fillTime.milliseconds) (\(size / 1024) KiB in the main file, "
            + "\(wal / 1024) KiB of WAL; every applied text kept once, zlib-compressed)\n")

        // A fresh connection, as `provision history` would open.
        let store = try StateStore(url: url)
        let middle = RunID(Int64(runCount / 2))
        let queries: [(String, () throws -> Int)] = [
            ("runs(limit: 20)", { try store.runs(limit: 20).count }),
            ("runs(limit: 20, outcome: .failed)", { try store.runs(limit: 20, outcome: .failed).count }),
            ("runs(limit: 20, outcome: .interrupted)", { try store.runs(limit: 20, outcome: .interrupted).count }),
            ("runs(limit: 20, component: \"authentik\")", { try store.runs(limit: 20, component: "authentik").count }),
            ("runs(limit: 20, component: \"authentik-redis\")", {
                try store.runs(limit: 20, component: "authentik-redis").count
            }),
            ("run(id) + steps(of:)", { (try store.run(middle) != nil ? 1 : 0) + (try store.steps(of: middle).count) }),
            ("changes(of: 20 newest runs)", { try store.changes(of: store.runs(limit: 20).map(\.id)).count }),
            ("manifest(digest:) of one step", {
                let step = try store.steps(of: middle).first { $0.digest != nil }
                return try store.manifest(digest: step!.digest!)?.count ?? 0
            }),
            ("runs() (all \(runCount), no limit)", { try store.runs().count }),
        ]
        var table = Table(header: ["query", "rows", "first call", "median", "max", "goal met"])
        var allMet = true
        for (name, query) in queries {
            var rows = 0
            let first = try clock.measure { rows = try query() }
            var samples: [Duration] = []
            for _ in 0..<20 { samples.append(try clock.measure { _ = try query() }) }
            samples.sort()
            let median = samples[samples.count / 2]
            let limited = !name.contains("no limit")
            let met = median < goal && first < goal
            if limited { allMet = allMet && met }
            table.add([
                name, "\(rows)", first.milliseconds, median.milliseconds, samples.last!.milliseconds,
                limited ? (met ? "yes" : "NO") : "(no goal)",
            ])
        }
        print(table.render())
        print()
        return allMet
    }

    /// About 6 KiB of YAML per component, like a rendered Deployment with its Service and
    /// policies; `revision` changes one line.
    static func manifest(for component: ComponentID, revision: Int) -> AppliedManifest {
        let objects = (0..<6).map { number in
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              labels:
                app: \(component)
                wrightnow/component: \(component)
              name: \(component)-\(number)
              namespace: staging-infra
            spec:
              replicas: 1
              template:
                spec:
                  containers:
                  - name: main
                    image: example.invalid/\(component):1.\(revision).0
                    resources: {limits: {cpu: 250m, memory: 256Mi}, requests: {cpu: 100m, memory: 128Mi}}
            \(String(repeating: "        # padding to the size of a real object's probes and security context\n", count: 10))
            """
        }
        return AppliedManifest(
            body: objects.joined(separator: "---\n"),
            objects: objects.enumerated().map {
                AppliedObject(reference: "Deployment/staging-infra/\(component)-\($0.offset)", digest: SHA256.hexDigest(of: $0.element))
            },
            secrets: [SecretKeys(namespace: "staging-infra", name: "\(component)-credentials", keys: ["PASSWORD"])])
    }

    /// 10 steps per run: preflight, create-cluster and eight component deploys; one run in
    /// ten failed (its last deploy failed, nothing skipped), one in fifty interrupted.
    static func fill(_ store: StateStore) throws {
        var random = SeededGenerator(seed: 42)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for index in 0..<runCount {
            let began = start + Double(index) * 600
            let run = try store.beginRun(
                NewRun(
                    commandLine: ["provision", "up", "--backend", "kind"], backend: "kind", cluster: "wrightnow",
                    toolVersion: "0.1.0", manifestsRevision: "abc1234"),
                at: began)
            let roll = Int.random(in: 0..<100, using: &random)
            let outcome: RunOutcome = roll < 2 ? .interrupted : roll < 12 ? .failed : .succeeded
            var clock = began
            let actions: [(StepAction, ComponentID?)] =
                [(.preflight, nil), (.createCluster, nil)] + components.map { (.deploy, $0) }
            for (position, (action, component)) in actions.enumerated() {
                let step = try store.addStep(run: run, component: component, action: action, at: clock)
                try store.markStep(step, .running, at: clock)
                clock += Double.random(in: 0.5...30, using: &random)
                let last = position == actions.count - 1
                let state: StepState =
                    !last || outcome == .succeeded ? .succeeded : outcome == .failed ? .failed : .interrupted
                if action == .deploy, let component {
                    // What was applied: a realistic manifest that changes every 50 runs, so
                    // the store keeps each distinct text once.
                    try store.recordApplied(step, manifest(for: component, revision: index / 50))
                }
                try store.markStep(step, state, error: state == .succeeded ? nil : "simulated \(state)", at: clock)
            }
            try store.finishRun(run, outcome: outcome, error: outcome == .succeeded ? nil : "simulated", at: clock)
        }
    }
}
