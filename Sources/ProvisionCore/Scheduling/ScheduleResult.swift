import Foundation

/// How one component's step ended.
public enum StepOutcome: Sendable, Hashable, CustomStringConvertible {
    case succeeded
    /// The step threw; the text is the error's description.
    case failed(String)
    /// The step ran longer than the scheduler's step timeout and was cancelled.
    case timedOut(Duration)
    /// Not started because a dependency (directly or indirectly) did not succeed.
    case skipped(because: ComponentID)
    /// Was running when the run was cancelled.
    case interrupted
    /// Never started because the run was cancelled first.
    case notStarted

    public var isSuccess: Bool { self == .succeeded }

    public var description: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed(let message): "failed: \(message)"
        case .timedOut(let limit): "timed out after \(limit.formattedSeconds)"
        case .skipped(let dependency): "skipped because `\(dependency)` did not succeed"
        case .interrupted: "interrupted"
        case .notStarted: "not started (run cancelled)"
        }
    }
}

/// One component's record in a ``ScheduleResult``.
public struct ScheduledStep: Sendable {
    public init(
        id: ComponentID, outcome: StepOutcome, error: (any Error)? = nil,
        startedAt: Date? = nil, endedAt: Date? = nil,
        started: ContinuousClock.Instant? = nil, ended: ContinuousClock.Instant? = nil
    ) {
        self.id = id
        self.outcome = outcome
        self.error = error
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.started = started
        self.ended = ended
    }

    public var id: ComponentID
    public var outcome: StepOutcome
    /// The error the step threw, when it failed.
    public var error: (any Error)?
    public var startedAt: Date?
    public var endedAt: Date?
    /// Monotonic start and end, for measuring overlap without wall-clock jumps.
    public var started: ContinuousClock.Instant?
    public var ended: ContinuousClock.Instant?

    public var duration: Duration? {
        guard let started, let ended else { return nil }
        return ended - started
    }
}

/// What happened to every component of a plan.
public struct ScheduleResult: Sendable {
    /// In plan order.
    public var steps: [ScheduledStep]
    /// True when the calling task was cancelled during the run.
    public var wasCancelled: Bool

    public subscript(id: ComponentID) -> ScheduledStep? { steps.first { $0.id == id } }

    public func outcome(of id: ComponentID) -> StepOutcome? { self[id]?.outcome }

    /// Every step succeeded and the run was not cancelled.
    public var succeeded: Bool { !wasCancelled && steps.allSatisfy { $0.outcome.isSuccess } }

    /// The first step (in plan order) that failed or timed out.
    public var firstFailure: ScheduledStep? {
        steps.first {
            switch $0.outcome {
            case .failed, .timedOut: true
            default: false
            }
        }
    }
}

/// Reported while the scheduler runs, in the order things happen.
public enum SchedulerEvent: Sendable {
    case started(ComponentID)
    /// Every final outcome, including skipped and not-started components.
    case finished(ScheduledStep)
}
