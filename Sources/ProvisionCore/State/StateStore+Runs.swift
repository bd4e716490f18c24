import Foundation
import GRDB

extension StateStore {
    /// Marks runs still `running` whose process is gone as interrupted, with their
    /// unfinished steps, and returns them (as they are now stored).
    @discardableResult
    public func recoverAbandonedRuns() throws -> [RunRecord] {
        try write(immediate: true) { db in
            try Self.recoverAbandoned(in: db, cluster: nil)
        }
    }

    /// Records the start of a run, owned by the current process.
    /// - Throws: ``StoreError/clusterBusy(cluster:holder:)`` when a live process has a
    ///   running run on the same cluster. The check and the insert happen in one
    ///   IMMEDIATE transaction, so two processes cannot both start.
    public func beginRun(_ run: NewRun, at date: Date = Date()) throws -> RunID {
        let me = ProcessIdentity.current
        return try write(immediate: true) { db in
            try Self.recoverAbandoned(in: db, cluster: run.cluster)
            let holders = try Self.fetchRuns(
                db, where: "cluster = ? AND outcome = 'running'", [run.cluster], limit: 1)
            if let holder = holders.first {
                throw StoreError.clusterBusy(cluster: run.cluster, holder: holder)
            }
            try db.execute(
                sql: """
                    INSERT INTO run (commandLine, backend, cluster, startedAt, outcome, toolVersion,
                                     manifestsRevision, pid, processStartTime)
                    VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)
                    """,
                arguments: [
                    Self.encodeCommandLine(run.commandLine), run.backend, run.cluster, date,
                    run.toolVersion, run.manifestsRevision, me.pid, me.startTime.map { Int64($0) },
                ])
            return RunID(db.lastInsertedRowID)
        }
    }

    /// Records the end of a run. `outcome` must be final.
    public func finishRun(_ id: RunID, outcome: RunOutcome, error: String? = nil, at date: Date = Date()) throws {
        precondition(outcome.isFinal, "finishRun needs a final outcome")
        try write { db in
            try db.execute(
                sql: "UPDATE run SET outcome = ?, error = ?, endedAt = ? WHERE id = ?",
                arguments: [outcome.rawValue, error, date, id.rawValue])
            guard db.changesCount == 1 else { throw StoreError.notFound("run \(id)") }
        }
    }

    /// Adds a step to a run, `pending` unless said otherwise.
    @discardableResult
    public func addStep(
        run: RunID, component: ComponentID?, action: StepAction, state: StepState = .pending,
        at date: Date = Date()
    ) throws -> StepID {
        try write { db in
            try db.execute(
                sql: "INSERT INTO step (runId, component, action, state) VALUES (?, ?, ?, 'pending')",
                arguments: [run.rawValue, component?.rawValue, action.rawValue])
            let id = StepID(db.lastInsertedRowID)
            if state != .pending {
                try Self.mark(db, id, state, error: nil, note: nil, digest: nil, at: date)
            }
            return id
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
            try Self.mark(db, id, state, error: error, note: note, digest: digest, at: date)
        }
    }

    private static func mark(
        _ db: Database, _ id: StepID, _ state: StepState, error: String?, note: String?, digest: String?,
        at date: Date
    ) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT startedAt FROM step WHERE id = ?", arguments: [id.rawValue])
        else { throw StoreError.notFound("step \(id)") }
        let startedAt: Date? = row["startedAt"]
        switch state {
        case .running:
            try db.execute(
                sql: """
                    UPDATE step SET state = 'running', startedAt = ?, endedAt = NULL, durationSeconds = NULL,
                        attempt = CASE WHEN startedAt IS NULL THEN attempt ELSE attempt + 1 END
                    WHERE id = ?
                    """,
                arguments: [date, id.rawValue])
        case .pending:
            try db.execute(sql: "UPDATE step SET state = 'pending' WHERE id = ?", arguments: [id.rawValue])
        case .succeeded, .failed, .skipped, .interrupted:
            try db.execute(
                sql: "UPDATE step SET state = ?, endedAt = ?, durationSeconds = ? WHERE id = ?",
                arguments: [state.rawValue, date, startedAt.map { date.timeIntervalSince($0) }, id.rawValue])
        }
        try db.execute(
            sql: """
                UPDATE step SET error = COALESCE(?, error), note = COALESCE(?, note), digest = COALESCE(?, digest)
                WHERE id = ?
                """,
            arguments: [error, note, digest, id.rawValue])
    }

    /// Marks `running` runs whose process is gone (optionally only on one cluster) as interrupted.
    @discardableResult
    static func recoverAbandoned(in db: Database, cluster: String?) throws -> [RunRecord] {
        let running =
            if let cluster {
                try fetchRuns(db, where: "cluster = ? AND outcome = 'running'", [cluster], limit: nil)
            } else {
                try fetchRuns(db, where: "outcome = 'running'", [], limit: nil)
            }
        let me = ProcessIdentity.current
        var recovered: [RunRecord] = []
        for run in running {
            let owner = ProcessIdentity(pid: run.pid, startTime: run.processStartTime)
            guard !owner.isAlive else { continue }
            let noticed = Date()
            let message =
                "the provision process (pid \(run.pid)) ended without finishing this run; "
                + "noticed by pid \(me.pid) at \(noticed.formatted(.iso8601))"
            try db.execute(
                sql: """
                    UPDATE step SET state = 'interrupted',
                        error = COALESCE(error, 'the provision process ended while this step was ' || state)
                    WHERE runId = ? AND state IN ('pending', 'running')
                    """,
                arguments: [run.id.rawValue])
            try db.execute(
                sql: "UPDATE run SET outcome = 'interrupted', error = COALESCE(error, ?) WHERE id = ?",
                arguments: [message, run.id.rawValue])
            if let updated = try fetchRuns(db, where: "id = ?", [run.id.rawValue], limit: 1).first {
                recovered.append(updated)
            }
        }
        return recovered
    }

    static func encodeCommandLine(_ arguments: [String]) -> String {
        let data = (try? JSONEncoder().encode(arguments)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeCommandLine(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? [text]
    }
}

extension StateStore {
    /// Sets a step's note and/or digest without changing its state (e.g. after apply,
    /// before readiness is known).
    public func updateStep(_ id: StepID, note: String? = nil, digest: String? = nil) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE step SET note = COALESCE(?, note), digest = COALESCE(?, digest) WHERE id = ?",
                arguments: [note, digest, id.rawValue])
            guard db.changesCount == 1 else { throw StoreError.notFound("step \(id)") }
        }
    }
}
