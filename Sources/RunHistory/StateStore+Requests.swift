import GRDB
import ProvisionCore

// The requests the store makes, named, so the store reads as what it asks for.

extension DerivableRequest<RunRecord> {
    /// Runs that ended (or are) so.
    func filter(outcome: RunOutcome) -> Self {
        filter { $0.outcome == outcome }
    }

    /// Runs on one cluster.
    func filter(cluster: String) -> Self {
        filter { $0.cluster == cluster }
    }

    /// Runs with a step for `component`: `id IN (SELECT runId FROM step WHERE component = ?)`,
    /// one lookup in the step index, and no join that would repeat a run.
    func filter(component: ComponentID) -> Self {
        let runIDs = StepRecord.filter { $0.component == component }.select(\.runID)
        return filter { runIDs.contains($0.id) }
    }

    /// Newest first.
    func orderByNewest() -> Self {
        order(\.id.desc)
    }
}

extension DerivableRequest<StepRecord> {
    /// The steps of one run.
    func filter(run: RunID) -> Self {
        filter { $0.runID == run }
    }

    /// Steps not yet in a final state.
    func unfinished() -> Self {
        filter { [StepState.pending, StepState.running].contains($0.state) }
    }

    /// In the order they were added.
    func orderByAddition() -> Self {
        order(\.id)
    }
}
