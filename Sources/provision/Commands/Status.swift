import ArgumentParser
import Foundation
import ProvisionCore

/// `provision status`: the cluster and each component's health right now.
struct Status: ContextualCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show whether the cluster exists and whether each component is ready now.",
        discussion: """
            Asks the cluster, changes nothing: it runs each component's readiness checks (rollout \
            status, job completion, namespace phase) with a short timeout, and with --smoke also \
            its smoke checks (psql, redis-cli ping, authentik's config endpoint). Status is \
            read-only: it writes no history record, because it changes nothing worth auditing; \
            the last recorded run is shown for context.

            Exit code 0 when the cluster exists and every component is ready, 1 otherwise, 3 when \
            the backend's tools are missing or the backend is not implemented.

            EXAMPLES:
              provision status
              provision status --smoke
              provision status --only authentik
            """)

    @OptionGroup var target: TargetOptions
    @OptionGroup var selection: SelectionOptions

    @Option(help: ArgumentHelp("Seconds each readiness check may wait.", valueName: "seconds"))
    var timeout: Int = 5

    @Flag(help: "Also run each ready component's smoke check.")
    var smoke = false

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
    }

    struct Health: Sendable {
        var id: ComponentID
        var ready: Bool
        var detail: String
    }

    func run(in context: CommandContext) async throws {
        let console = context.console
        let plan = try selection.plan(in: context)
        let cluster = try await ClusterContext(target: target, state: state, context: context)
        if let store = try? StoreAccess.openExisting(state, in: context),
            let last = try? store.runs(limit: 1).first
        {
            console.out("Last run: \(last.id) \(HistoryText.command(last.commandLine)) on \(last.cluster): "
                + "\(last.outcome) (\(Format.timestamp(last.startedAt)))")
        }

        let provider = cluster.provider, spec = cluster.spec
        let exists: Bool
        do {
            exists = try await provider.clusterExists(spec)
        } catch {
            let problem = Problem(error)
            throw problem.kind == .notImplemented ? problem : problem.reported(as: .preflight)
        }
        guard exists else {
            console.out("Cluster \(spec.name) does not exist (backend \(provider.name)).")
            console.out("Create it and deploy the stack with `provision up`.")
            throw ExitCode(ProvisionExit.code(for: .stepFailed).rawValue)
        }
        console.out("Cluster \(spec.name) exists (backend \(provider.name), "
            + "context \(provider.kubeContext(for: spec))).")

        let deployment = cluster.deployment
        let limit = Duration.seconds(timeout), runSmoke = smoke
        let results = await withTaskGroup(of: Health.self) { group in
            for component in plan.steps {
                group.addTask {
                    do {
                        try await deployment.waitUntilReady(component, timeout: limit)
                    } catch {
                        return Health(id: component.id, ready: false, detail: Self.firstLine(error))
                    }
                    guard runSmoke, !component.smokeChecks.isEmpty else {
                        return Health(id: component.id, ready: true, detail: "")
                    }
                    do {
                        try await deployment.smokeCheck(component)
                        return Health(id: component.id, ready: true, detail: "smoke check passed")
                    } catch {
                        return Health(id: component.id, ready: false, detail: "smoke check: " + Self.firstLine(error))
                    }
                }
            }
            var collected: [ComponentID: Health] = [:]
            for await health in group { collected[health.id] = health }
            return collected
        }
        let rows: [[String]] = plan.order.compactMap { results[$0] }.map { health -> [String] in
            [health.id.rawValue, health.ready ? "ready" : "NOT READY", health.detail]
        }
        console.out("")
        console.out(Format.table(header: ["COMPONENT", "STATUS", "DETAIL"], rows: rows))
        let notReady = results.values.filter { !$0.ready }.count
        if notReady > 0 {
            console.out("")
            console.out("\(notReady) of \(results.count) components are not ready; `provision up` deploys "
                + "what is missing, `provision history` shows what the last runs did.")
            throw ExitCode(ProvisionExit.code(for: .stepFailed).rawValue)
        }
    }

    private static func firstLine(_ error: any Error) -> String {
        Format.summary(String(describing: error), limit: 100)
    }
}
