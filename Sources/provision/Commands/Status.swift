import ArgumentParser
import Foundation
import ProvisionCore

/// `provision status`: the cluster and each component's health right now.
struct Status: AsyncParsableCommand {
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

    func run() async throws {
        let plan = try selection.plan()
        let context = try ClusterContext(target: target, state: state)
        if let store = try? StoreAccess.openExisting(state),
            let last = try? store.runs(limit: 1).first
        {
            Console.out("Last run: \(last.id) \(HistoryText.command(last.commandLine)) on \(last.cluster): "
                + "\(last.outcome) (\(Format.timestamp(last.startedAt)))")
        }

        let exists: Bool
        do {
            exists = try await context.backend.clusterExists(context.spec)
        } catch {
            throw ErrorText.failure(error, exitCode: ProvisionExit.preflight)
        }
        guard exists else {
            Console.out("Cluster \(context.spec.name) does not exist (backend \(context.backend.name)).")
            Console.out("Create it and deploy the stack with `provision up`.")
            throw ExitCode(ProvisionExit.failed.rawValue)
        }
        Console.out("Cluster \(context.spec.name) exists (backend \(context.backend.name), "
            + "context \(context.backend.kubeContext(for: context.spec))).")

        let backend = context.backend, spec = context.spec
        let limit = Duration.seconds(timeout), runSmoke = smoke
        let results = await withTaskGroup(of: Health.self) { group in
            for component in plan.steps {
                group.addTask {
                    do {
                        try await backend.waitUntilReady(component, in: spec, timeout: limit)
                    } catch {
                        return Health(id: component.id, ready: false, detail: Self.firstLine(error))
                    }
                    guard runSmoke, !component.smokeChecks.isEmpty else {
                        return Health(id: component.id, ready: true, detail: "")
                    }
                    do {
                        try await backend.smokeCheck(component, in: spec)
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
        Console.out("")
        Console.out(Format.table(header: ["COMPONENT", "STATUS", "DETAIL"], rows: rows))
        let notReady = results.values.filter { !$0.ready }.count
        if notReady > 0 {
            Console.out("")
            Console.out("\(notReady) of \(results.count) components are not ready; `provision up` deploys "
                + "what is missing, `provision history` shows what the last runs did.")
            throw ExitCode(ProvisionExit.failed.rawValue)
        }
    }

    private static func firstLine(_ error: any Error) -> String {
        Format.summary(String(describing: error), limit: 100)
    }
}
