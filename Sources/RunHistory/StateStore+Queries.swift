import Foundation
import GRDB
import ProvisionCore

extension StateStore {
    /// Runs, newest first.
    /// - Parameters:
    ///   - limit: at most this many; `nil` for all.
    ///   - outcome: only runs that ended (or are) so.
    ///   - component: only runs with a step for this component.
    public func runs(limit: Int? = nil, outcome: RunOutcome? = nil, component: ComponentID? = nil) throws -> [RunRecord] {
        var request = RunRecord.all().orderByNewest()
        if let outcome { request = request.filter(outcome: outcome) }
        if let component { request = request.filter(component: component) }
        if let limit { request = request.limit(max(0, limit)) }
        return try read { db in try request.fetchAll(db) }
    }

    /// One run, or `nil` when there is no such run.
    public func run(_ id: RunID) throws -> RunRecord? {
        try read { db in try RunRecord.fetchOne(db, id: id) }
    }

    /// The steps of a run in the order they were added.
    public func steps(of run: RunID) throws -> [StepRecord] {
        try read { db in
            try Self.withObjects(db, StepRecord.all().filter(run: run).orderByAddition().fetchAll(db))
        }
    }
}
