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
            directory is unusable. Drift alone exits 0.

            With --exit-code, as `git diff --exit-code` and `terraform plan -detailed-exitcode` \
            tell "no differences" from "differences" from "error": 0 when the cluster holds \
            what `up` would apply and every component is ready, \(ProvisionExit.drifted.rawValue) \
            when an object was changed or is missing (each one listed), and the failure codes \
            above otherwise: a component that is not ready stays 1, as without the flag, so a CI \
            job tells a change made by hand from an outage. A cluster that does not exist, or \
            one whose manifests cannot be found, leaves nothing to compare: that stays 1 too.

            With --json it prints one JSON document instead (the same verdict, whether or not \
            --exit-code is given): `verdict` (in-sync, drifted, not-ready or no-cluster), \
            `differences` (each changed or missing object with its component), `components` (with \
            `gitOps`: Argo CD's sync and health of each, after a hand-over), `cluster`, `lastRun` \
            and `caches`.

            After the stack was handed over to Argo CD (`provision argocd export`), the table has \
            a column ARGO CD with each component's sync status and health there.

            The backend's image caches are listed too, whether or not the cluster exists (they \
            outlive it): for --backend kind each registry container (the local registry and \
            the pull-through mirrors) with its state and the size of its volume.

            EXAMPLES:
              provision status
              provision status --smoke
              provision status --only authentik
              provision status --exit-code           fail a CI job on drift
              provision status --json | jq -r .verdict
            """)

    @OptionGroup var target: TargetOptions
    @OptionGroup var selection: SelectionOptions

    @Flag(help: "Also run each ready component's smoke check.")
    var smoke = false

    @Flag(help: ArgumentHelp(
        "Exit with \(ProvisionExit.drifted.rawValue) when the cluster differs from k8s/ (each difference listed), "
            + "0 when it matches and all components are ready; not ready stays 1."))
    var exitCode = false

    @Flag(help: "Print the verdict and each component's state as JSON instead of a table.")
    var json = false

    @OptionGroup var state: StateOptions

    func run(in runtime: Runtime) async throws {
        let console = runtime.console
        // With --json, standard output carries the one document; the words go nowhere.
        let say: (String) -> Void = json ? { _ in } : { console.out($0) }
        let plan = try selection.plan(in: runtime)
        try state.checkLocation(in: runtime)
        let cluster = try await TargetCluster(
            target: target, state: state, runtime: runtime, manifestsRequired: false)
        let lastRun = (try? StoreAccess.openExisting(state, in: runtime)).flatMap { try? $0.runs(limit: 1).first }
        if let last = lastRun {
            say("Last run: \(last.id) \(HistoryText.command(last.commandLine)) on \(last.cluster): "
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
        var report = StatusReport(
            cluster: .init(name: spec.name, backend: provider.name, exists: exists, context: nil), lastRun: lastRun)
        if let caches = provider.imageCaches(for: spec).caches {
            do {
                report.caches = try await caches.survey(sizes: true)
            } catch {
                report.cachesProblem = Format.summary(String(describing: Problem(error)), limit: 200)
            }
        }
        guard exists else {
            if json { console.out(try report.json()) }
            say("Cluster \(spec.name) does not exist (backend \(provider.name)).")
            say("Create it and deploy the stack with `provision up`.")
            if let caches = report.cachesTable { say(""); say(caches) }
            throw ProvisionExit.code(for: .stepFailed)
        }
        // A stopped node or a cluster made without this overlay's config: said first, with the
        // fix, before any kubectl call runs into a refused connection.
        if let problem = Problem.all(await provider.existingClusterProblems(spec), kind: .preflight) {
            say("Cluster \(spec.name) exists (backend \(provider.name)) but cannot be used as it is.")
            throw problem
        }
        report.cluster.context = provider.kubeContext(for: spec)
        say("Cluster \(spec.name) exists (backend \(provider.name), context \(provider.kubeContext(for: spec))).")
        guard cluster.hasManifests else {
            // No verdict without the manifests: a failure, told on standard error under --json.
            let message = "Component health needs the manifests the cluster was deployed from: there is no k8s/ "
                + "directory here, and none is recorded for cluster \(spec.name). Run provision inside the "
                + "repository, or pass --manifests path/to/repo/k8s."
            if json { console.error(message) } else { say(""); say(message) }
            throw ProvisionExit.code(for: .stepFailed)
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
        let gitOps = await deployment.gitOpsStates(releases)
        let runSmoke = smoke
        let results = await withTaskGroup(of: ComponentHealth.self) { group in
            for release in releases {
                let component = release.component
                group.addTask {
                    var health = ComponentHealth(id: component.id, survey: surveys[component.id], gitOps: gitOps[component.id])
                    guard runSmoke, health.ready, health.survey != nil, !component.smokeChecks.isEmpty else { return health }
                    do {
                        try await deployment.smokeCheck(release)
                        health.smoke = .passed
                    } catch {
                        health.smoke = .failed(Self.firstLine(error))
                    }
                    return health
                }
            }
            var collected: [ComponentID: ComponentHealth] = [:]
            for await health in group { collected[health.id] = health }
            return collected
        }
        report.components = plan.order.compactMap { results[$0] }
        let verdict = report.verdict
        if json {
            console.out(try report.json())
        } else {
            console.out("")
            console.out(report.table)
            if let caches = report.cachesTable {
                console.out("")
                console.out(caches)
            }
        }
        let notReady = report.components.filter { !$0.ready }.count
        if notReady > 0 {
            say("")
            say("\(notReady) of \(report.components.count) components are not ready; `provision up` deploys "
                + "what is missing, `provision history` shows what the last runs did.")
        }
        if exitCode {
            guard verdict == .inSync else {
                say("")
                say(report.differences)
                say("")
                // 6 means "differs from k8s/" only; not ready keeps the failure code, as without the flag.
                let code = verdict == .drifted ? ProvisionExit.drifted : ProvisionExit.code(for: .stepFailed)
                say(verdict == .drifted
                    ? "The cluster differs from k8s/ (exit code \(code.rawValue)); `provision up` applies what differs."
                    : "The cluster matches k8s/ but is not ready (exit code \(code.rawValue)).")
                throw code
            }
        } else if notReady > 0 {
            throw ProvisionExit.code(for: .stepFailed)
        }
    }

    private static func firstLine(_ error: any Error) -> String {
        Format.summary(String(describing: error), limit: 100)
    }
}
