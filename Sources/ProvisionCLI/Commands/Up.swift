import ArgumentParser
import Components
import Foundation
import ProvisionCore

/// `provision up`: create or reuse the cluster and deploy the plan.
struct Up: RuntimeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create (or reuse) the cluster and deploy the stack, recording every step.",
        discussion: """
            Steps: preflight (tools, Docker, free ports), create or reuse the cluster, then one \
            deploy step per component: apply its manifests (server-side), wait until it is ready, \
            run its smoke check. Independent components deploy side by side; a failed component \
            skips only what depends on it. Running `up` again on a healthy stack reuses the \
            cluster and applies nothing: a component whose rendered objects equal its last \
            successful apply, and that the cluster holds in sync and ready (one server-side \
            `kubectl diff` and one `kubectl get` for the whole stack), is recorded as unchanged; \
            its smoke checks still run. --force applies everything.

            Secrets are generated on first use into the state directory and reused afterwards; \
            they are printed only with --show-secrets, which also reads and prints those a \
            component's own software writes in the cluster (Argo CD's admin password).

            EXAMPLES:
              provision up
              provision up --only postgres-pgvector,redis
              provision up --with authentik-redis
              provision up --timeout 1200 --concurrency 2
              provision up --force          apply even what is unchanged
              provision up --backend gke    (not implemented yet: says so and exits 3)
            """)

    @OptionGroup var target: TargetOptions
    @OptionGroup var selection: SelectionOptions

    @Option(help: ArgumentHelp("Most component steps running at once.", valueName: "n"))
    var concurrency: Int = DeployOptions.upDefaults.maxConcurrency

    // The defaults and why they are what they are: DeployOptions.upDefaults.
    @Option(help: ArgumentHelp("Seconds each component may take to become ready.", valueName: "seconds"))
    var timeout: Int = Int(DeployOptions.upDefaults.readinessTimeout.components.seconds)

    @Option(help: ArgumentHelp(
        "Upper bound in seconds for each whole step (preflight, cluster creation, each component).",
        valueName: "seconds"))
    var stepTimeout: Int = Int(DeployOptions.upDefaults.stepTimeout.components.seconds)

    @Option(help: ArgumentHelp("Seconds between \"still waiting\" lines while a step runs.", valueName: "seconds"))
    var progressInterval: Int = 15

    @Flag(help: "Print the generated passwords and keys in the summary, and those components write in the cluster.")
    var showSecrets = false

    @Flag(help: "Apply every component, even those unchanged since their last apply and in sync.")
    var force = false

    @Flag(help: ArgumentHelp(
        "Take over fields another field manager changed (kubectl edit, scale) so k8s/ wins; "
            + "without it such a change stops the apply and is named."))
    var forceConflicts = false

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
        guard stepTimeout >= 1 else { throw ValidationError("--step-timeout must be at least 1 second") }
        guard progressInterval >= 1 else { throw ValidationError("--progress-interval must be at least 1 second") }
    }

    func run(in runtime: Runtime) async throws {
        let plan = try selection.plan(in: runtime)
        try state.checkLocation(in: runtime)
        let cluster = try await TargetCluster(
            target: target, state: state, runtime: runtime, forceConflicts: forceConflicts)
        let store = try StoreAccess.open(state, in: runtime)
        let driver = RunDriver(
            command: "up", cluster: cluster, store: store,
            options: DeployOptions(
                maxConcurrency: concurrency, stepTimeout: .seconds(stepTimeout),
                readinessTimeout: .seconds(timeout), noticeInterval: .seconds(progressInterval)))

        runtime.console.out("provision up: \(plan.order.count) components on \(cluster.provider.name) cluster "
            + "\(cluster.spec.name) (manifests \(cluster.spec.overlayDirectory.path))")
        let started = ContinuousClock.now
        let report = try await driver.run { [force] deployer, invocation in
            try await deployer.up(cluster: cluster.spec, plan: plan, invocation: invocation, force: force)
        }
        // Where the cluster's manifests and data are, for `down` and `status` from anywhere.
        if report.steps.contains(where: { $0.action == .createCluster && $0.state == .succeeded }),
            let failure = cluster.saveRecord(run: report.runID)
        {
            runtime.console.error("warning: \(failure)")
        }

        let summary = RunSummary(report: report, plan: plan, cluster: cluster, elapsed: .now - started)
        if report.succeeded {
            runtime.console.out(await summary.success(showSecrets: showSecrets))
            return
        }
        // The step table helps once components ran; before that the error says it all.
        if report.steps.contains(where: { $0.action == .deploy && $0.state != .skipped }) {
            runtime.console.out(summary.stepTable())
        }
        runtime.console.out("")
        throw RecordedFailure(problem: report.problem ?? Problem(problem: "the run failed", fix: "see provision history"),
                              run: report.runID)
    }
}
