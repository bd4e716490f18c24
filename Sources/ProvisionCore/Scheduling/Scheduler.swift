import Foundation
import ProcessRunning

/// Runs the steps of a ``Plan`` as early as their dependencies allow.
///
/// A step starts the moment every dependency has succeeded (not layer by layer),
/// at most `maxConcurrency` steps run at once, and each step gets `stepTimeout`.
/// When a step fails or times out, everything that depends on it is skipped
/// while independent branches carry on. Cancelling the calling task stops new
/// steps from starting and cancels the running ones, which are recorded as
/// interrupted.
public struct Scheduler: Sendable {
    public var maxConcurrency: Int
    public var stepTimeout: Duration

    public init(maxConcurrency: Int, stepTimeout: Duration) {
        self.maxConcurrency = max(1, maxConcurrency)
        self.stepTimeout = stepTimeout
    }

    /// Runs `step` for every component of `plan` and reports each outcome.
    ///
    /// `events` is called from one task at a time, in the order things happen, and
    /// the scheduler waits for it: a caller that persists state there never sees a
    /// step finish before its start was written.
    public func run(
        _ plan: Plan,
        events: @escaping @Sendable (SchedulerEvent) async -> Void = { _ in },
        step: @escaping @Sendable (any Component) async throws -> Void
    ) async -> ScheduleResult {
        let position = Dictionary(uniqueKeysWithValues: plan.order.enumerated().map { ($1, $0) })
        var unfinishedDependencies = Dictionary(
            uniqueKeysWithValues: plan.order.map { ($0, plan.dependencies(of: $0).count) })
        var ready = plan.order.filter { unfinishedDependencies[$0] == 0 }
        var records: [ComponentID: ScheduledStep] = [:]
        var running = 0
        let timeout = stepTimeout

        await withTaskGroup(of: ScheduledStep.self) { group in
            while true {
                while running < maxConcurrency, !ready.isEmpty, !Task.isCancelled {
                    let id = ready.removeFirst()
                    let component = plan.component(id)!
                    await events(.started(id))
                    running += 1
                    group.addTask { await Self.execute(component, timeout: timeout, step: step) }
                }
                guard let done = await group.next() else { break }
                running -= 1
                records[done.id] = done
                await events(.finished(done))

                if done.outcome.isSuccess {
                    for dependent in plan.dependents(of: done.id) {
                        unfinishedDependencies[dependent]! -= 1
                        if unfinishedDependencies[dependent] == 0, records[dependent] == nil {
                            ready.append(dependent)
                            ready.sort { position[$0]! < position[$1]! }
                        }
                    }
                } else if done.outcome != .interrupted {
                    // Interrupted steps leave their dependents to be reported as not started.
                    for dependent in plan.transitiveDependents(of: done.id) where records[dependent] == nil {
                        let skipped = ScheduledStep(id: dependent, outcome: .skipped(because: done.id))
                        records[dependent] = skipped
                        await events(.finished(skipped))
                    }
                }
            }
        }

        for id in plan.order where records[id] == nil {
            let notStarted = ScheduledStep(id: id, outcome: .notStarted)
            records[id] = notStarted
            await events(.finished(notStarted))
        }
        let steps = plan.order.map { records[$0]! }
        let interrupted = steps.contains { $0.outcome == .interrupted || $0.outcome == .notStarted }
        return ScheduleResult(steps: steps, wasCancelled: interrupted && Task.isCancelled)
    }

    /// Runs one step against the step timeout.
    private static func execute(
        _ component: any Component,
        timeout: Duration,
        step: @escaping @Sendable (any Component) async throws -> Void
    ) async -> ScheduledStep {
        let startedAt = Date()
        let started = ContinuousClock.now
        let outcome: StepOutcome
        var failure: (any Error)?
        do {
            try await withTimeout(timeout) { try await step(component) }
            outcome = .succeeded
        } catch let error as TimeoutError {
            outcome = .timedOut(error.limit)
            failure = error
        } catch {
            outcome = Task.isCancelled ? .interrupted : .failed(String(describing: error))
            failure = error
        }
        return ScheduledStep(
            id: component.id, outcome: outcome, error: failure,
            startedAt: startedAt, endedAt: Date(), started: started, ended: .now)
    }
}
