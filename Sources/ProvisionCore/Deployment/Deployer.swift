import Foundation
import ProcessRunning
import Synchronization

/// Carries out `provision up` and `provision down` and records every step in the state
/// store as it happens: the provider owns the cluster's lifecycle, the deployment layer
/// does each component's work inside it.
///
/// Whatever goes wrong, the run and all its steps are finished in the store
/// (failed, skipped or interrupted) before `up`/`down` return or throw.
public struct Deployer: Sendable {
    public let provider: any ClusterProvider
    public let deployment: any ComponentDeployment
    public let store: any RunJournal
    public let options: DeployOptions
    let progress: @Sendable (ProgressEvent) -> Void

    public init(
        provider: any ClusterProvider,
        deployment: any ComponentDeployment,
        store: any RunJournal,
        options: DeployOptions = .init(),
        progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) {
        self.provider = provider
        self.deployment = deployment
        self.store = store
        self.options = options
        self.progress = progress
    }

    /// Brings the cluster and the plan's components up.
    ///
    /// Steps: `preflight`, `start-caches` (when the provider keeps ``ImageCaches``),
    /// `create-cluster` (creates or reuses), then one `deploy` step per component (apply, wait
    /// until ready, smoke check), scheduled by the plan; while a new cluster is made, one
    /// `pull` step per image the caches serve.
    /// - Returns: the report of the recorded run; check ``RunReport/succeeded``.
    ///   A failed step does not throw: the report's outcome is `failed` and `problem` says why
    ///   (kind `.preflight` or `.notImplemented` when preflight stopped the run).
    /// - Throws: ``StoreError`` when no run could be recorded (e.g. the cluster is busy),
    ///   `CancellationError` after recording the run as interrupted when the task was cancelled.
    /// A component whose rendered objects equal its last successful apply, and that the
    /// cluster holds in sync and ready, is not applied again ("unchanged"); its smoke checks
    /// still run. `force` applies everything.
    public func up(cluster: ClusterSpec, plan: Plan, invocation: RunInvocation, force: Bool = false) async throws -> RunReport {
        let run = try begin(cluster: cluster, invocation: invocation)
        let caches = provider.imageCaches(for: cluster).caches
        let preflight: StepID, ensure: StepID
        var startCaches: StepID?
        var stepIDs: [ComponentID: StepID] = [:]
        do {
            // Every step is listed up front, so history shows what a run was going to do; the
            // pull steps follow once the caches say which images they can warm up.
            preflight = try store.addStep(run: run, component: nil, action: .preflight)
            if caches != nil { startCaches = try store.addStep(run: run, component: nil, action: .startCaches) }
            ensure = try store.addStep(run: run, component: nil, action: .createCluster)
            for id in plan.order {
                stepIDs[id] = try store.addStep(run: run, component: id, action: .deploy)
            }
        } catch {
            try? store.finishRun(run, outcome: .failed, error: Self.describe(error))
            throw error
        }
        let componentSteps = stepIDs
        var toolVersions: [ToolVersion] = []

        let found: (exists: Bool, tools: [ToolVersion])
        var warmable: [String] = []
        do {
            found = try await perform(preflight, StepLabel(.preflight), failureKind: .preflight) {
                [provider, progress, store] in
                let exists: Bool
                var existsError: (any Error)?
                do {
                    exists = try await provider.clusterExists(cluster)
                } catch {
                    // Let preflight explain missing tools first; rethrow only if it finds nothing.
                    exists = false
                    existsError = error
                }
                let report = try await provider.preflight(cluster, creatingCluster: !exists)
                if let existsError { throw existsError }
                try store.recordTools(run, report.toolVersions)
                try store.recordTarget(run, await provider.target(for: cluster))
                report.warnings.forEach { progress(.warning($0)) }
                let state = exists ? "cluster `\(cluster.name)` exists" : "cluster `\(cluster.name)` will be created"
                let tools = report.toolVersions.isEmpty
                    ? [] : ["tools: " + report.toolVersions.map(\.description).joined(separator: ", ")]
                let note: String? = ([state] + tools + report.warnings.map { "warning: \($0)" }).joined(separator: "\n")
                return (note, (exists: exists, tools: report.toolVersions))
            }
            toolVersions = found.tools
        } catch {
            return try finish(run, after: error, toolVersions: toolVersions)
        }

        // Each component's objects, text, digest, readiness and images, once for the whole run,
        // before the caches start: the images decide which. One the overlay has nothing for is
        // recorded as skipped, and its dependents go on.
        progress(.preparing(components: plan.steps.count))
        let releases = await deployment.prepare(plan.steps)
        progress(.prepared)
        if Task.isCancelled { return try finish(run, after: CancellationError(), toolVersions: toolVersions) }
        var seen = Set<String>()
        let images = plan.order.flatMap { (try? releases[$0]?.get())?.images ?? [] }.filter { seen.insert($0).inserted }
        do {
            if let startCaches, let caches {
                warmable = try await perform(startCaches, StepLabel(.startCaches)) { [progress] in
                    let started = try await caches.start(for: images)
                    started.warnings.forEach { progress(.warning($0)) }
                    let note = ([started.note] + started.warnings.map { "warning: \($0)" }).joined(separator: "\n")
                    return (note, started.warmable)
                }
            }
        } catch {
            return try finish(run, after: error, toolVersions: toolVersions)
        }

        // While a new cluster is made, its images are pulled into the caches side by side, so
        // the nodes find them there; a node that already runs has them, so a reused cluster
        // warms nothing up.
        let warming: WarmUp
        do {
            let pulls = found.exists ? [] : warmable
            warming = WarmUp(steps: try pulls.map { (try store.addStep(run: run, component: nil, subject: $0, action: .pull), $0) })
        } catch {
            return try finish(run, after: error, toolVersions: toolVersions)
        }
        let warmUpTask = Task { [self] in
            if let caches { await self.warmUp(warming, through: caches) }
        }
        let failure: (any Error)? = await withTaskCancellationHandler {
            await deploy(
                plan, releases, cluster: cluster, exists: found.exists, ensure: ensure, steps: componentSteps,
                force: force)
        } onCancel: {
            warmUpTask.cancel()
        }
        // A failed run does not wait for warm-ups; a successful one lets them finish, unless
        // it is interrupted meanwhile.
        if failure != nil { warmUpTask.cancel() }
        await warmUpTask.value
        let interrupted: (any Error)? = Task.isCancelled ? CancellationError() : nil
        if let failure = failure ?? warming.storeFailure ?? interrupted {
            return try finish(run, after: failure, toolVersions: toolVersions)
        }
        try store.finishRun(run, outcome: .succeeded)
        progress(.runFinished(run, .succeeded))
        return RunReport(
            runID: run, outcome: .succeeded, steps: try store.steps(of: run), problem: nil, toolVersions: toolVersions)
    }

    /// Makes or reuses the cluster, then deploys the plan's components. Returns why the run
    /// failed (cancellation included), or nil when every step succeeded.
    private func deploy(
        _ plan: Plan, _ releases: [ComponentID: Result<ComponentRelease, any Error>], cluster: ClusterSpec,
        exists: Bool, ensure: StepID, steps componentSteps: [ComponentID: StepID], force: Bool
    ) async -> (any Error)? {
        let reused: Bool
        do {
            // What preflight found is handed to ensureCluster, so the provider asks once.
            reused = try await perform(ensure, StepLabel(.createCluster)) { [provider] in
                let provisioning = try await provider.ensureCluster(cluster, exists: exists)
                let note: String? = provisioning.note(cluster: cluster.name)
                return (note, provisioning.outcome == .reused)
            }
        } catch {
            return error
        }
        if Task.isCancelled { return CancellationError() }
        // On a cluster that was there already, one look tells what is unchanged.
        var unchanged: Set<ComponentID> = []
        if !force, reused { unchanged = await unchangedComponents(plan, releases, cluster: cluster) }
        let skippable = unchanged

        let storeFailures = Mutex<[any Error]>([])
        let scheduler = Scheduler(maxConcurrency: options.maxConcurrency, stepTimeout: options.stepTimeout)
        let result = await scheduler.run(
            plan,
            events: { [store, progress] event in
                do {
                    switch event {
                    case .started(let id):
                        try store.markStep(componentSteps[id]!, .running)
                        progress(.stepStarted(StepLabel(.deploy, id)))
                    case .finished(let step):
                        var (state, detail) = Self.stored(step.outcome, error: step.error)
                        if state == .succeeded, (try? releases[step.id]?.get())?.isEmpty == true {
                            state = .skipped
                            detail = "nothing to deploy in overlay `\(cluster.overlay)`"
                        }
                        try store.markStep(componentSteps[step.id]!, state, error: state == .succeeded ? nil : detail)
                        progress(.stepFinished(StepLabel(.deploy, step.id), state, duration: step.duration, detail: detail))
                    }
                } catch {
                    storeFailures.withLock { $0.append(error) }
                }
            },
            step: { [deployment, store, options] component in
                let stepID = componentSteps[component.id]!
                try await withNotices(StepLabel(.deploy, component.id)) {
                    // A component that could not be prepared fails here, in its own step.
                    let release = try releases[component.id]!.get()
                    if skippable.contains(component.id) {
                        try store.recordUnchanged(
                            stepID, digest: release.digest,
                            note: "unchanged: in sync with its last apply and ready; not applied")
                        try await deployment.smokeCheck(release)
                        return
                    }
                    try await deployment.apply(release)
                    guard !release.isEmpty else {
                        try store.updateStep(
                            stepID, note: "nothing to deploy: overlay `\(cluster.overlay)` has no objects of this component")
                        return
                    }
                    try store.recordApplied(stepID, AppliedManifest(release), note: "applied \(release.objects.count) objects")
                    try await deployment.waitUntilReady(release, timeout: options.readinessTimeout)
                    try await deployment.smokeCheck(release)
                }
            })

        if let storeFailure = storeFailures.withLock({ $0.first }) { return storeFailure }
        if result.wasCancelled { return CancellationError() }
        if let failure = result.firstFailure ?? result.steps.first(where: { !$0.outcome.isSuccess }) {
            let cause = failure.error.map(Self.problem)
                ?? Problem(problem: failure.outcome.description, fix: "see the step's error in `provision history`")
            return cause.prefixed("deploying `\(failure.id)` failed: ")
        }
        return nil
    }

    /// Takes the stack down. A cluster the provider owns is deleted and confirmed gone; with
    /// `purgeData`, the provider's data directory (``ClusterProvider/dataDirectory(for:)``) is
    /// then deleted as a step of its own. From a cluster the provider does not own, the plan's
    /// components are removed instead (``remove(cluster:plan:purgeData:invocation:)``).
    /// No preflight: deleting must work even when the tools needed to create a cluster have broken.
    /// - Returns / Throws: as ``up(cluster:plan:invocation:)``.
    /// With `removeCaches`, the provider's image caches (``ImageCaches``) are removed last, as
    /// a step of their own; without it they stay for the next cluster.
    public func down(
        cluster: ClusterSpec, plan: Plan? = nil, purgeData: Bool = false, removeCaches: Bool = false,
        invocation: RunInvocation
    ) async throws -> RunReport {
        if !provider.ownsCluster, let plan {
            return try await remove(cluster: cluster, plan: plan, purgeData: purgeData, invocation: invocation)
        }
        let run = try begin(cluster: cluster, invocation: invocation)
        let delete: StepID
        var purge: StepID?, uncache: StepID?
        let caches = removeCaches ? provider.imageCaches(for: cluster).caches : nil
        do {
            delete = try store.addStep(run: run, component: nil, action: .deleteCluster)
            if purgeData { purge = try store.addStep(run: run, component: nil, action: .purgeData) }
            if caches != nil { uncache = try store.addStep(run: run, component: nil, action: .removeCaches) }
        } catch {
            try? store.finishRun(run, outcome: .failed, error: Self.describe(error))
            throw error
        }
        do {
            try await perform(delete, StepLabel(.deleteCluster)) { [provider] in
                let existed = try await provider.clusterExists(cluster)
                try await provider.deleteCluster(cluster)
                if try await provider.clusterExists(cluster) {
                    throw Problem(
                        problem: "cluster `\(cluster.name)` still exists after deleting it",
                        fix: "look at `\(provider.name)` for what keeps it alive and delete it by hand, "
                            + "then run `provision down` again")
                }
                return existed
                    ? "deleted cluster `\(cluster.name)`; confirmed it is gone"
                    : "cluster `\(cluster.name)` did not exist; nothing to delete"
            }
            if let purge {
                try await perform(purge, StepLabel(.purgeData)) { [provider] in
                    try DataDirectory.purge(try provider.dataDirectory(for: cluster))
                }
            }
            if let uncache, let caches {
                try await perform(uncache, StepLabel(.removeCaches)) { try await caches.remove() }
            }
        } catch {
            return try finish(run, after: error)
        }
        try store.finishRun(run, outcome: .succeeded)
        progress(.runFinished(run, .succeeded))
        return RunReport(runID: run, outcome: .succeeded, steps: try store.steps(of: run), problem: nil)
    }

    /// Removes the plan's components from a cluster the provider does not own (after taking the
    /// stack back from a GitOps controller that applies it, ``ComponentDeployment/gitOpsOwners()``),
    /// in reverse dependency order: the plan's waves reversed (as helmfile reverses its batches for
    /// delete), the components of one wave side by side, each waiting until its objects are
    /// gone. A failure stops the waves after it, so nothing is removed while something that
    /// depends on it is still there. Claims and namespaces stay unless `purgeData`.
    public func remove(
        cluster: ClusterSpec, plan: Plan, purgeData: Bool, invocation: RunInvocation
    ) async throws -> RunReport {
        let run = try begin(cluster: cluster, invocation: invocation)
        let waves = Array(plan.waves.reversed())
        var stepIDs: [ComponentID: StepID] = [:]
        // A GitOps controller that applies the stack (after `provision argocd export`) would put
        // back what is removed: it stops first, as a step of its own, keeping what it applied.
        let owners = await deployment.gitOpsOwners()
        var reclaim: StepID?
        do {
            if !owners.isEmpty { reclaim = try store.addStep(run: run, component: nil, action: .reclaim) }
            for id in waves.flatMap({ $0 }) {
                stepIDs[id] = try store.addStep(run: run, component: id, action: .remove)
            }
        } catch {
            try? store.finishRun(run, outcome: .failed, error: Self.describe(error))
            throw error
        }
        let steps = stepIDs
        do {
            try store.recordTarget(run, await provider.target(for: cluster))
            if let reclaim {
                try await perform(reclaim, StepLabel(.reclaim)) { [deployment] in try await deployment.reclaim(from: owners) }
            }
            // Each component's objects once; one that cannot be prepared fails its own step.
            progress(.preparing(components: plan.steps.count))
            let releases = await deployment.prepare(plan.steps)
            progress(.prepared)
            for wave in waves {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for id in wave {
                        // prepare answers for every component it is given: the plan's.
                        let release = releases[id]!
                        group.addTask { [deployment, options] in
                            try await perform(steps[id]!, StepLabel(.remove, id)) {
                                try await deployment.remove(
                                    try release.get(), keepingData: !purgeData, timeout: options.readinessTimeout)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        } catch {
            return try finish(run, after: error)
        }
        try store.finishRun(run, outcome: .succeeded)
        progress(.runFinished(run, .succeeded))
        return RunReport(runID: run, outcome: .succeeded, steps: try store.steps(of: run), problem: nil)
    }

    /// The components whose objects equal their last successful apply on this cluster and
    /// that the cluster holds in sync and ready. Anything that cannot be told (no history, a
    /// failed look, a component not prepared) is applied as usual.
    private func unchangedComponents(
        _ plan: Plan, _ releases: [ComponentID: Result<ComponentRelease, any Error>], cluster: ClusterSpec
    ) async -> Set<ComponentID> {
        let prepared = plan.order.compactMap { try? releases[$0]?.get() }
        guard let last = try? store.lastAppliedDigests(cluster: cluster.name, components: plan.order), !last.isEmpty,
            let surveys = try? await deployment.survey(prepared)
        else { return [] }
        return Set(prepared.filter { release in
            guard let survey = surveys[release.id] else { return false }
            return last[release.id] == release.digest && survey.inSync && survey.ready
        }.map(\.id))
    }

    // MARK: - Steps

    private func begin(cluster: ClusterSpec, invocation: RunInvocation) throws -> RunID {
        for recovered in try store.recoverAbandonedRuns() {
            progress(.recoveredAbandonedRun(recovered))
        }
        let run = try store.beginRun(
            NewRun(
                commandLine: invocation.commandLine, backend: provider.name, cluster: cluster.name,
                toolVersion: invocation.toolVersion, manifestsRevision: invocation.manifestsRevision,
                user: invocation.user, host: invocation.host))
        progress(.runStarted(run, backend: provider.name, cluster: cluster.name))
        return run
    }

    /// Runs a run-level step under the step timeout, recording start and end.
    /// The body returns the step's note.
    /// A ``Problem`` thrown by the body keeps its kind unless `failureKind` says what any
    /// failure of this step is (preflight failures are preflight problems, exit code 3).
    private func perform(
        _ step: StepID, _ label: StepLabel, failureKind: Problem.Kind? = nil,
        _ body: @escaping @Sendable () async throws -> String?
    ) async throws {
        try await perform(step, label, failureKind: failureKind) { (try await body(), ()) }
    }

    /// As above, for a step whose body also returns what the steps after it need.
    private func perform<Value: Sendable>(
        _ step: StepID, _ label: StepLabel, failureKind: Problem.Kind? = nil,
        _ body: @escaping @Sendable () async throws -> (note: String?, value: Value)
    ) async throws -> Value {
        try Task.checkCancellation()
        try store.markStep(step, .running)
        progress(.stepStarted(label))
        let started = ContinuousClock.now
        do {
            let (note, value) = try await withNotices(label) { [options] in
                try await withTimeout(options.stepTimeout, body)
            }
            try store.markStep(step, .succeeded, note: note)
            progress(.stepFinished(label, .succeeded, duration: .now - started, detail: note))
            return value
        } catch {
            let cancelled = Self.isCancellation(error)
            let state: StepState = cancelled ? .interrupted : .failed
            let detail = Self.describe(error)
            try store.markStep(step, state, error: detail)
            progress(.stepFinished(label, state, duration: .now - started, detail: detail))
            if cancelled || error is StoreError { throw error }
            let problem = Self.problem(error)
            if let failureKind, problem.kind != .notImplemented { throw problem.reported(as: failureKind) }
            throw problem
        }
    }

    /// Sends a notice every `noticeInterval` while `body` runs.
    private func withNotices<T: Sendable>(
        _ label: StepLabel, _ body: () async throws -> T
    ) async throws -> T {
        let interval = options.noticeInterval
        let ticker = Task { [progress] in
            let start = ContinuousClock.now
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                progress(.stillRunning(label, elapsed: .now - start))
            }
        }
        defer { ticker.cancel() }
        return try await body()
    }

    /// Finishes the run after `error`: steps never started become skipped (or
    /// interrupted on cancellation), the run failed or interrupted. Rethrows
    /// cancellation and store failures; returns a report for everything else.
    private func finish(_ run: RunID, after error: any Error, toolVersions: [ToolVersion] = []) throws -> RunReport {
        let cancelled = Self.isCancellation(error)
        let outcome: RunOutcome = cancelled ? .interrupted : .failed
        let message = cancelled ? "interrupted (the run was cancelled)" : Self.describe(error)
        let reason = cancelled ? "not started: the run was interrupted" : "not started because an earlier step failed"
        for step in try store.steps(of: run) where !step.state.isFinal {
            let state: StepState = step.state == .running ? .interrupted : .skipped
            try store.markStep(step.id, state, error: reason)
            progress(.stepFinished(StepLabel(step.action, step.component), state, duration: nil, detail: reason))
        }
        try store.finishRun(run, outcome: outcome, error: message)
        progress(.runFinished(run, outcome))
        if cancelled { throw CancellationError() }
        if error is StoreError { throw error }
        return RunReport(
            runID: run, outcome: outcome, steps: try store.steps(of: run), problem: Self.problem(error),
            toolVersions: toolVersions)
    }

    private static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || (Task.isCancelled && !(error is TimeoutError))
    }

    static func describe(_ error: any Error) -> String {
        String(describing: problem(error))
    }

    /// Any error of a step as the ``Problem`` recorded and reported for it.
    static func problem(_ error: any Error) -> Problem {
        if let timeout = error as? TimeoutError {
            return Problem(
                problem: "timed out: \(timeout)",
                fix: "check that the cluster is responsive, or raise the step timeout (--step-timeout)")
        }
        return Problem(error)
    }

    /// The store state and the text recorded for a scheduler outcome.
    static func stored(_ outcome: StepOutcome, error: (any Error)?) -> (StepState, String?) {
        switch outcome {
        case .succeeded: (.succeeded, nil)
        case .failed: (.failed, error.map(describe) ?? outcome.description)
        case .timedOut: (.failed, error.map(describe) ?? outcome.description)
        case .skipped(let dependency): (.skipped, "not started because `\(dependency)` did not succeed")
        case .interrupted: (.interrupted, "interrupted (the run was cancelled)")
        case .notStarted: (.skipped, "not started: the run was interrupted")
        }
    }
}
