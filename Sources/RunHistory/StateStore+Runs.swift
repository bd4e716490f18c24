import Foundation
import GRDB
import ProvisionCore

extension StateStore {
    /// Marks runs still `running` whose process is gone as interrupted, with their
    /// unfinished steps, and returns them (as they are now stored).
    @discardableResult
    public func recoverAbandonedRuns() throws -> [RunRecord] {
        try write { db in
            try Self.recoverAbandoned(in: db, cluster: nil)
        }
    }

    /// Records the start of a run, owned by the current process.
    /// - Throws: ``StoreError/clusterBusy(cluster:holder:)`` when a live process has a
    ///   running run on the same cluster. The check and the insert happen in one
    ///   IMMEDIATE transaction, so two processes cannot both start.
    public func beginRun(_ run: NewRun, at date: Date = Date()) throws -> RunID {
        let me = ProcessIdentity.current
        return try write { db in
            try Self.recoverAbandoned(in: db, cluster: run.cluster)
            if let holder = try Self.runningRuns(on: run.cluster).fetchOne(db) {
                throw StoreError.clusterBusy(cluster: run.cluster, holder: holder)
            }
            let started = PartialRun(
                commandLine: run.commandLine, backend: run.backend, cluster: run.cluster, startedAt: date,
                outcome: .running, toolVersion: run.toolVersion, manifestsRevision: run.manifestsRevision,
                pid: me.pid, processStartTime: me.startTime, user: run.user, host: run.host)
            return try started.insertAndFetch(db, as: RunRecord.self).id
        }
    }

    /// Records the end of a run. `outcome` must be final.
    public func finishRun(_ id: RunID, outcome: RunOutcome, error: String? = nil, at date: Date = Date()) throws {
        precondition(outcome.isFinal, "finishRun needs a final outcome")
        try write { db in
            guard var run = try RunRecord.fetchOne(db, id: id) else { throw StoreError.notFound("run \(id)") }
            try run.updateChanges(db) {
                $0.outcome = outcome
                $0.error = error
                $0.endedAt = date
            }
        }
    }

    /// Records which context and API server a run reached.
    public func recordTarget(_ id: RunID, _ target: ClusterTarget) throws {
        try write { db in
            guard var run = try RunRecord.fetchOne(db, id: id) else { throw StoreError.notFound("run \(id)") }
            try run.updateChanges(db) {
                $0.context = target.context
                $0.server = target.server
            }
        }
    }

    /// Adds a step to a run, `pending` unless said otherwise.
    @discardableResult
    public func addStep(
        run: RunID, component: ComponentID?, subject: String? = nil, action: StepAction, state: StepState = .pending,
        at date: Date = Date()
    ) throws -> StepID {
        try write { db in
            let pending = PartialStep(runID: run, component: component, subject: subject, action: action, state: .pending)
            var step = try pending.insertAndFetch(db, as: StepRecord.self)
            if state != .pending {
                try Self.mark(db, &step, state, error: nil, note: nil, digest: nil, at: date)
            }
            return step.id
        }
    }

    /// Records a state change of a step. `running` stamps the start (a step started
    /// again counts as a new attempt); a final state stamps the end and the duration.
    /// `error`, `note` and `digest` replace the stored value only when given.
    public func markStep(
        _ id: StepID, _ state: StepState, error: String? = nil, note: String? = nil, digest: String? = nil,
        at date: Date = Date()
    ) throws {
        try write { db in
            guard var step = try StepRecord.fetchOne(db, id: id) else { throw StoreError.notFound("step \(id)") }
            try Self.mark(db, &step, state, error: error, note: note, digest: digest, at: date)
        }
    }

    /// Sets a step's note and/or digest without changing its state (e.g. after apply,
    /// before readiness is known).
    public func updateStep(_ id: StepID, note: String? = nil, digest: String? = nil) throws {
        try write { db in
            guard var step = try StepRecord.fetchOne(db, id: id) else { throw StoreError.notFound("step \(id)") }
            try step.updateChanges(db) {
                if let note { $0.note = note }
                if let digest { $0.digest = digest }
            }
        }
    }

    /// Applies a state change to `step` as it is stored, and writes the columns that changed.
    private static func mark(
        _ db: Database, _ step: inout StepRecord, _ state: StepState, error: String?, note: String?,
        digest: String?, at date: Date
    ) throws {
        try step.updateChanges(db) { step in
            switch state {
            case .running:
                if step.startedAt != nil { step.attempt += 1 }
                step.startedAt = date
                step.endedAt = nil
                step.durationSeconds = nil
            case .pending:
                break
            case .succeeded, .failed, .skipped, .interrupted:
                step.endedAt = date
                step.durationSeconds = step.startedAt.map { date.timeIntervalSince($0) }
            }
            step.state = state
            if let error { step.error = error }
            if let note { step.note = note }
            if let digest { step.digest = digest }
        }
    }

    /// Runs still `running`, newest first, optionally only on one cluster.
    static func runningRuns(on cluster: String? = nil) -> QueryInterfaceRequest<RunRecord> {
        var request = RunRecord.all().filter(outcome: .running)
        if let cluster { request = request.filter(cluster: cluster) }
        return request.orderByNewest()
    }

    /// Marks `running` runs whose process is gone (optionally only on one cluster) as interrupted.
    @discardableResult
    static func recoverAbandoned(in db: Database, cluster: String?) throws -> [RunRecord] {
        let me = ProcessIdentity.current
        var recovered: [RunRecord] = []
        for var run in try runningRuns(on: cluster).fetchAll(db) {
            let owner = ProcessIdentity(pid: run.pid, startTime: run.processStartTime)
            guard !owner.isAlive else { continue }
            let noticed = Date()
            let message =
                "the provision process (pid \(run.pid)) ended without finishing this run; "
                + "noticed by pid \(me.pid) at \(noticed.formatted(.iso8601))"
            for var step in try StepRecord.all().filter(run: run.id).unfinished().fetchAll(db) {
                try step.updateChanges(db) {
                    $0.error = $0.error ?? "the provision process ended while this step was \($0.state)"
                    $0.state = .interrupted
                }
            }
            try run.updateChanges(db) {
                $0.outcome = .interrupted
                $0.error = $0.error ?? message
            }
            recovered.append(run)
        }
        return recovered
    }
}
