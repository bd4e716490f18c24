import ArgumentParser
import Foundation
import ProvisionCore

/// `provision status`: the cluster and each component's health right now.
struct Status: RuntimeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show whether the cluster exists and whether each component is ready now.",
        discussion: """
            Asks the cluster, changes nothing. For the whole stack at once it reads whether each \
            component's workloads are ready (one `kubectl get` of the labelled workloads) and \
            whether the cluster still holds what `up` would apply (one server-side `kubectl \
            diff`): in sync, drifted (naming the objects and fields changed by hand), or \
            missing. With --smoke it also runs the smoke checks (psql, redis-cli ping, \
            authentik's config endpoint). Status writes no history record, because it changes \
            nothing worth auditing; the last recorded run is shown for context. The next \
            `provision up` repairs drift.

            Works from any directory: without a k8s/ directory it uses the one the cluster was \
            deployed from (recorded by `provision up`), and without either it reports the \
            cluster only.

            Exit code 0 when the cluster exists and every component is ready, 1 otherwise, 3 when \
            the backend's tools are missing, the cluster's node is stopped or was made without \
            this overlay's kind config, or the backend is not implemented; 5 when the state \
            directory is unusable.

            EXAMPLES:
              provision status
              provision status --smoke
              provision status --only authentik
            """)

    @OptionGroup var target: TargetOptions
    @OptionGroup var selection: SelectionOptions

    @Flag(help: "Also run each ready component's smoke check.")
    var smoke = false

    @OptionGroup var state: StateOptions

    struct Health: Sendable {
        var id: ComponentID
        var ready: Bool
        /// `in sync` with what `up` would apply, `drifted` (changed in the cluster), `missing`.
        var sync: String
        var detail: String
    }

    func run(in runtime: Runtime) async throws {
        let console = runtime.console
        let plan = try selection.plan(in: runtime)
        try state.checkLocation(in: runtime)
        let cluster = try await TargetCluster(
            target: target, state: state, runtime: runtime, manifestsRequired: false)
        if let store = try? StoreAccess.openExisting(state, in: runtime),
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
        // A stopped node or a cluster made without this overlay's config: said first, with the
        // fix, before any kubectl call runs into a refused connection.
        if let problem = Problem.all(await provider.existingClusterProblems(spec), kind: .preflight) {
            console.out("Cluster \(spec.name) exists (backend \(provider.name)) but cannot be used as it is.")
            throw problem
        }
        console.out("Cluster \(spec.name) exists (backend \(provider.name), "
            + "context \(provider.kubeContext(for: spec))).")
        guard cluster.hasManifests else {
            console.out("")
            console.out("Component health needs the manifests the cluster was deployed from: there is no k8s/ "
                + "directory here, and none is recorded for cluster \(spec.name). Run provision inside the "
                + "repository, or pass --manifests path/to/repo/k8s.")
            throw ExitCode(ProvisionExit.code(for: .stepFailed).rawValue)
        }

        // One server-side diff and one get of the labelled workloads for the whole stack.
        let deployment = cluster.deployment
        let releases: [ComponentRelease]
        let surveys: [ComponentID: ComponentSurvey]
        do {
            let prepared = await deployment.prepare(plan.steps)
            releases = try plan.order.map { try prepared[$0]!.get() }
            surveys = try await deployment.survey(releases)
        } catch {
            throw Problem(error)
        }
        let runSmoke = smoke
        let results = await withTaskGroup(of: Health.self) { group in
            for release in releases {
                let component = release.component
                group.addTask {
                    guard let survey = surveys[component.id] else {
                        return Health(id: component.id, ready: true, sync: "-", detail: "nothing to deploy in this overlay")
                    }
                    let sync = survey.inSync ? "in sync" : !survey.missing.isEmpty ? "missing" : "drifted"
                    let drift = (survey.missing.map { "missing \($0)" } + survey.drifted.map { "changed \($0)" })
                        .joined(separator: "; ")
                    guard survey.ready else {
                        return Health(id: component.id, ready: false, sync: sync,
                                      detail: ([survey.notReady.joined(separator: "; ")] + (drift.isEmpty ? [] : [drift])).joined(separator: "; "))
                    }
                    guard runSmoke, !component.smokeChecks.isEmpty else {
                        return Health(id: component.id, ready: true, sync: sync, detail: drift)
                    }
                    do {
                        try await deployment.smokeCheck(release)
                        return Health(id: component.id, ready: true, sync: sync,
                                      detail: (["smoke check passed"] + (drift.isEmpty ? [] : [drift])).joined(separator: "; "))
                    } catch {
                        return Health(id: component.id, ready: false, sync: sync, detail: "smoke check: " + Self.firstLine(error))
                    }
                }
            }
            var collected: [ComponentID: Health] = [:]
            for await health in group { collected[health.id] = health }
            return collected
        }
        let rows: [[String]] = plan.order.compactMap { results[$0] }.map { health -> [String] in
            [health.id.rawValue, health.ready ? "ready" : "NOT READY", health.sync, Format.summary(health.detail, limit: 120)]
        }
        console.out("")
        console.out(Format.table(header: ["COMPONENT", "STATUS", "SYNC", "DETAIL"], rows: rows))
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
