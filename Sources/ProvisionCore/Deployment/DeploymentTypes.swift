import Foundation

/// How `provision` was invoked, recorded with every run.
public struct RunInvocation: Sendable, Hashable {
    public var commandLine: [String]
    public var toolVersion: String
    /// The git revision of `k8s/` when known.
    public var manifestsRevision: String?
    /// Who runs it, and where: the OS user and the host.
    public var user: String?
    public var host: String?

    public init(
        commandLine: [String], toolVersion: String, manifestsRevision: String? = nil,
        user: String? = nil, host: String? = nil
    ) {
        self.commandLine = commandLine
        self.toolVersion = toolVersion
        self.manifestsRevision = manifestsRevision
        self.user = user
        self.host = host
    }
}

/// Knobs of a deployment.
public struct DeployOptions: Sendable, Hashable {
    /// Component steps running at once.
    public var maxConcurrency: Int
    /// Upper bound for each step (preflight, cluster creation, each component).
    public var stepTimeout: Duration
    /// How long a component may take to become ready once applied.
    public var readinessTimeout: Duration
    /// How often a ``ProgressEvent/stillRunning(_:elapsed:)`` notice is sent for a long step.
    public var noticeInterval: Duration

    public init(
        maxConcurrency: Int = 4,
        stepTimeout: Duration = .seconds(600),
        readinessTimeout: Duration = .seconds(300),
        noticeInterval: Duration = .seconds(15)
    ) {
        self.maxConcurrency = maxConcurrency
        self.stepTimeout = stepTimeout
        self.readinessTimeout = readinessTimeout
        self.noticeInterval = noticeInterval
    }
}

extension DeployOptions {
    /// `provision up`'s defaults (`--concurrency`, `--step-timeout`, `--timeout`), kept here so
    /// the command line and the real-cluster tests read the same numbers. authentik's first
    /// start pulls large images and runs migrations, and its startup probe allows 10 minutes,
    /// so a component may take 900 s to become ready.
    public static let upDefaults = DeployOptions(
        maxConcurrency: 4, stepTimeout: .seconds(1200), readinessTimeout: .seconds(900))
}

/// Names a step for progress output: `preflight`, `deploy redis`, `pull ghcr.io/x/y:1`.
public struct StepLabel: Sendable, Hashable, CustomStringConvertible {
    public var action: StepAction
    public var component: ComponentID?
    /// What a step that is not a component's works on (``StepRecord/subject``).
    public var subject: String?
    public init(_ action: StepAction, _ component: ComponentID? = nil, subject: String? = nil) {
        self.action = action
        self.component = component
        self.subject = subject
    }
    public var description: String {
        (component?.rawValue ?? subject).map { "\(action) \($0)" } ?? action.rawValue
    }
}

/// What the ``Deployer`` tells the CLI while it works.
public enum ProgressEvent: Sendable {
    /// A run left `running` by a process that is gone was marked interrupted.
    case recoveredAbandonedRun(RunRecord)
    case runStarted(RunID, backend: String, cluster: String)
    case stepStarted(StepLabel)
    /// The components' objects are being worked out (the overlay rendered, pinned manifests
    /// downloaded on a first run), between steps; `.prepared` follows.
    case preparing(components: Int)
    case prepared
    /// `detail` is the error for failed, skipped and interrupted steps, the note otherwise.
    case stepFinished(StepLabel, StepState, duration: Duration?, detail: String?)
    case warning(PreflightWarning)
    /// Sent every ``DeployOptions/noticeInterval`` while a step is still running.
    case stillRunning(StepLabel, elapsed: Duration)
    case runFinished(RunID, RunOutcome)
}

/// The result of `up` or `down`: what the state store holds for the run.
public struct RunReport: Sendable {
    public var runID: RunID
    public var outcome: RunOutcome
    /// The run's steps as stored, in the order they were added.
    public var steps: [StepRecord]
    /// Why the run failed (the first failure), `nil` when it succeeded.
    public var problem: Problem?
    /// The tools the provider's preflight found (empty for `down`, which has no preflight).
    public var toolVersions: [ToolVersion]

    public init(
        runID: RunID, outcome: RunOutcome, steps: [StepRecord], problem: Problem?, toolVersions: [ToolVersion] = []
    ) {
        self.runID = runID
        self.outcome = outcome
        self.steps = steps
        self.problem = problem
        self.toolVersions = toolVersions
    }

    public var succeeded: Bool { outcome == .succeeded }
}

extension StepAction {
    /// `down --purge-data`: the provider's data directory is deleted once the cluster is gone.
    public static let purgeData: Self = "purge-data"
    /// `down` on a cluster the provider does not own: one component's objects are deleted.
    public static let remove: Self = "remove"
    /// `down --remove-caches`: the provider's image caches and what they hold are removed.
    public static let removeCaches: Self = "remove-caches"
}
