import Foundation

/// Where the ``Deployer`` records a run as it happens: the run, each step's transitions, what
/// each step applied. The engine's one contract with the history; the `RunHistory` module's
/// `StateStore` keeps it in SQLite, tests keep it wherever they like.
///
/// Every method throws ``StoreError`` when it cannot record; the deployer then finishes what
/// it can and rethrows, so a run never goes on unrecorded.
public protocol RunJournal: Sendable {
    /// Marks runs whose process is gone as interrupted, and returns them.
    func recoverAbandonedRuns() throws -> [RunRecord]
    /// Starts a run; throws ``StoreError/clusterBusy(cluster:holder:)`` while another live run holds the cluster.
    func beginRun(_ run: NewRun, at date: Date) throws -> RunID
    func finishRun(_ id: RunID, outcome: RunOutcome, error: String?, at date: Date) throws
    func recordTools(_ id: RunID, _ tools: [ToolVersion]) throws
    func recordTarget(_ id: RunID, _ target: ClusterTarget) throws

    /// Adds a step; `subject` names what a step that is not a component's works on (an image).
    func addStep(
        run: RunID, component: ComponentID?, subject: String?, action: StepAction, state: StepState, at date: Date
    ) throws -> StepID
    func markStep(_ id: StepID, _ state: StepState, error: String?, note: String?, digest: String?, at date: Date) throws
    func updateStep(_ id: StepID, note: String?, digest: String?) throws
    /// Records what a deploy step applied (its text kept once per digest) and its change counts.
    func recordApplied(_ id: StepID, _ applied: AppliedManifest, note: String?) throws
    /// Records a step that applied nothing because nothing changed since `digest` was applied.
    func recordUnchanged(_ id: StepID, digest: String, note: String) throws
    /// The run's steps in the order they were added.
    func steps(of run: RunID) throws -> [StepRecord]
    /// Per component, the digest of its last successful apply on `cluster`.
    func lastAppliedDigests(cluster: String, components: [ComponentID]) throws -> [ComponentID: String]
}

/// The deployer's shorthand: now, and nothing more to say. Internal, so callers of a
/// concrete journal see only its own defaults.
extension RunJournal {
    func beginRun(_ run: NewRun) throws -> RunID { try beginRun(run, at: Date()) }
    func finishRun(_ id: RunID, outcome: RunOutcome, error: String? = nil) throws {
        try finishRun(id, outcome: outcome, error: error, at: Date())
    }
    func addStep(run: RunID, component: ComponentID?, subject: String? = nil, action: StepAction) throws -> StepID {
        try addStep(run: run, component: component, subject: subject, action: action, state: .pending, at: Date())
    }
    func markStep(_ id: StepID, _ state: StepState, error: String? = nil, note: String? = nil) throws {
        try markStep(id, state, error: error, note: note, digest: nil, at: Date())
    }
    func updateStep(_ id: StepID, note: String) throws { try updateStep(id, note: note, digest: nil) }
    func recordApplied(_ id: StepID, _ applied: AppliedManifest) throws { try recordApplied(id, applied, note: nil) }
}
