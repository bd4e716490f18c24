import Foundation
import GRDB

extension StateStore {
    /// Runs, newest first.
    /// - Parameters:
    ///   - limit: at most this many; `nil` for all.
    ///   - outcome: only runs that ended (or are) so.
    ///   - component: only runs with a step for this component.
    public func runs(limit: Int? = nil, outcome: RunOutcome? = nil, component: ComponentID? = nil) throws -> [RunRecord] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let outcome {
            conditions.append("outcome = ?")
            arguments.append(outcome.rawValue)
        }
        if let component {
            conditions.append("id IN (SELECT runId FROM step WHERE component = ?)")
            arguments.append(component.rawValue)
        }
        let condition = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        return try read { db in
            try Self.fetchRuns(db, where: condition, StatementArguments(arguments), limit: limit)
        }
    }

    /// One run, or `nil` when there is no such run.
    public func run(_ id: RunID) throws -> RunRecord? {
        try read { db in try Self.fetchRuns(db, where: "id = ?", [id.rawValue], limit: 1).first }
    }

    /// The steps of a run in the order they were added.
    public func steps(of run: RunID) throws -> [StepRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM step WHERE runId = ? ORDER BY id", arguments: [run.rawValue])
                .map(Self.stepRecord)
        }
    }

    static func fetchRuns(
        _ db: Database, where condition: String, _ arguments: StatementArguments, limit: Int?
    ) throws -> [RunRecord] {
        var sql = "SELECT * FROM run WHERE \(condition) ORDER BY id DESC"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(runRecord)
    }

    static func runRecord(_ row: Row) -> RunRecord {
        RunRecord(
            id: RunID(row["id"]),
            commandLine: decodeCommandLine(row["commandLine"]),
            backend: row["backend"],
            cluster: row["cluster"],
            startedAt: row["startedAt"],
            endedAt: row["endedAt"],
            outcome: RunOutcome(rawValue: row["outcome"]) ?? .interrupted,
            error: row["error"],
            toolVersion: row["toolVersion"],
            manifestsRevision: row["manifestsRevision"],
            pid: row["pid"],
            processStartTime: (row["processStartTime"] as Int64?).map { UInt64($0) })
    }

    static func stepRecord(_ row: Row) -> StepRecord {
        StepRecord(
            id: StepID(row["id"]),
            runID: RunID(row["runId"]),
            component: (row["component"] as String?).map { ComponentID($0) },
            action: StepAction(row["action"] as String),
            state: StepState(rawValue: row["state"]) ?? .interrupted,
            startedAt: row["startedAt"],
            endedAt: row["endedAt"],
            durationSeconds: row["durationSeconds"],
            attempt: row["attempt"],
            error: row["error"],
            note: row["note"],
            digest: row["digest"])
    }
}
