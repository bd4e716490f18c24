import Foundation
import GRDB
import ProvisionCore

extension StateStore {
    /// Records the tools a run's preflight found.
    public func recordTools(_ id: RunID, _ tools: [ToolVersion]) throws {
        try write { db in
            guard var run = try RunRecord.fetchOne(db, id: id) else { throw StoreError.notFound("run \(id)") }
            try run.updateChanges(db) { $0.tools = tools.map(\.description) }
        }
    }

    /// Keeps what a step applied: the bytes once per digest (compressed), the objects, the
    /// Secrets by name and key, and how many objects are new, changed and unchanged against
    /// the same component's previous apply on the same cluster.
    public func recordApplied(_ id: StepID, _ applied: AppliedManifest, note: String? = nil) throws {
        let digest = applied.digest
        let bytes = Data(applied.body.utf8)
        let compressed = try Compression.compress(bytes)
        try write { db in
            guard var step = try StepRecord.fetchOne(db, id: id) else { throw StoreError.notFound("step \(id)") }
            if var stored = try StoredManifest.fetchOne(db, key: digest) {
                if stored.objects == nil { try stored.updateChanges(db) { $0.objects = applied.objects } }
            } else {
                try StoredManifest(digest: digest, size: bytes.count, body: compressed, objects: applied.objects).insert(db)
            }
            let previous = try Self.previousObjects(db, before: step)
            let before = Dictionary(previous.map { ($0.reference, $0.digest) }, uniquingKeysWith: { first, _ in first })
            let created = applied.objects.filter { before[$0.reference] == nil }.count
            let unchanged = applied.objects.filter { before[$0.reference] == $0.digest }.count
            // The object list is the manifest's (keyed by digest); the step keeps the counts.
            try step.updateChanges(db) {
                $0.digest = digest
                $0.secrets = applied.secrets
                $0.created = created
                $0.unchanged = unchanged
                $0.changed = applied.objects.count - created - unchanged
                if let note { $0.note = note }
            }
        }
    }

    /// The text of the manifest with `digest`, or nil when the store has none (runs of 0.1.0
    /// recorded digests only).
    public func manifest(digest: String) throws -> String? {
        try read { db in
            guard let stored = try StoredManifest.fetchOne(db, key: digest) else { return nil }
            return String(decoding: try Compression.decompress(stored.body, size: stored.size), as: UTF8.self)
        }
    }

    /// The objects of the component's last apply on the same cluster before `step`'s run.
    static func previousObjects(_ db: Database, before step: StepRecord) throws -> [AppliedObject] {
        guard let component = step.component,
            let cluster = try RunRecord.fetchOne(db, id: step.runID)?.cluster,
            let previous = try StepRecord.lastApplied(component: component, cluster: cluster, before: step.runID)
                .fetchOne(db)
        else { return [] }
        return try withObjects(db, [previous]).first?.objects ?? []
    }

    /// The steps with their object lists: a step that recorded an apply finds its list with
    /// the manifest of its digest (one query for all of them); older steps carry their own.
    static func withObjects(_ db: Database, _ steps: [StepRecord]) throws -> [StepRecord] {
        let wanted = Set(steps.compactMap { $0.objects == nil && $0.created != nil ? $0.digest : nil })
        guard !wanted.isEmpty else { return steps }
        let digests = Array(wanted)
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT digest, objects FROM manifest WHERE digest IN (\(databaseQuestionMarks(count: digests.count)))",
            arguments: StatementArguments(digests))
        let lists = Dictionary(
            rows.map { ($0["digest"] as String, $0["objects"] as String?) }, uniquingKeysWith: { first, _ in first })
        let decoder = JSONDecoder()
        return try steps.map { step in
            guard step.objects == nil, step.created != nil, let digest = step.digest,
                let json = lists[digest] ?? nil
            else { return step }
            var filled = step
            filled.objects = try decoder.decode([AppliedObject].self, from: Data(json.utf8))
            return filled
        }
    }
}

extension StepRecord {
    /// The run a step belongs to.
    static let run = belongsTo(RunRecord.self, using: ForeignKey(["runId"]))

    /// The component's latest step that recorded what it applied (its change counts), on
    /// `cluster`, optionally before a run and only if it succeeded. Walks the (component, runId)
    /// index backwards and joins each candidate's run by its key, so it stays fast however long
    /// the history grows.
    static func lastApplied(
        component: ComponentID, cluster: String, before run: RunID? = nil, succeeded: Bool = false
    ) -> QueryInterfaceRequest<StepRecord> {
        var request = StepRecord
            .filter { $0.component == component && $0.created != nil }
            .joining(required: StepRecord.run.filter { $0.cluster == cluster })
        if let run { request = request.filter { $0.runID < run } }
        if succeeded { request = request.filter { $0.state == StepState.succeeded } }
        return request.order(StepRecord.Columns.runID.desc, StepRecord.Columns.id.desc).limit(1)
    }
}

/// How many objects a run's deploy steps created, changed and left unchanged, as Pulumi's
/// history counts resources.
public struct ChangeCounts: Sendable, Hashable, Codable {
    public var created: Int
    public var changed: Int
    public var unchanged: Int
    public init(created: Int = 0, changed: Int = 0, unchanged: Int = 0) {
        self.created = created
        self.changed = changed
        self.unchanged = unchanged
    }
    /// `+3 ~1 =20`
    public var summary: String { "+\(created) ~\(changed) =\(unchanged)" }
}

extension StateStore {
    /// The change counts of each run that recorded any (runs of 0.1.0 have none).
    public func changes(of runs: [RunID]) throws -> [RunID: ChangeCounts] {
        try read { db in
            var counts: [RunID: ChangeCounts] = [:]
            let steps = try StepRecord.filter { runs.contains($0.runID) && $0.created != nil }.fetchAll(db)
            for step in steps {
                counts[step.runID, default: ChangeCounts()].created += step.created ?? 0
                counts[step.runID, default: ChangeCounts()].changed += step.changed ?? 0
                counts[step.runID, default: ChangeCounts()].unchanged += step.unchanged ?? 0
            }
            return counts
        }
    }
}

extension StateStore {
    /// Per component, the digest of its last successful apply on `cluster`.
    public func lastAppliedDigests(cluster: String, components: [ComponentID]) throws -> [ComponentID: String] {
        try read { db in
            var digests: [ComponentID: String] = [:]
            for component in components {
                let step = try StepRecord.lastApplied(component: component, cluster: cluster, succeeded: true).fetchOne(db)
                if let digest = step?.digest { digests[component] = digest }
            }
            return digests
        }
    }

    /// Records a step that applied nothing because the cluster already held exactly this:
    /// its objects (the manifest's) and Secrets as last applied, every object counted unchanged.
    /// Without a previous apply of this digest there is nothing to count: the note alone.
    public func recordUnchanged(_ id: StepID, digest: String, note: String) throws {
        try write { db in
            guard var step = try StepRecord.fetchOne(db, id: id) else { throw StoreError.notFound("step \(id)") }
            let cluster = try RunRecord.fetchOne(db, id: step.runID)?.cluster ?? ""
            let previous = try step.component.flatMap { component in
                try StepRecord.lastApplied(component: component, cluster: cluster, before: step.runID).fetchOne(db)
            }.flatMap { $0.digest == digest ? $0 : nil }
            let objects = try previous.flatMap { try Self.withObjects(db, [$0]).first?.objects }
            try step.updateChanges(db) {
                $0.digest = digest
                $0.note = note
                guard let previous, let objects else { return }
                $0.secrets = previous.secrets
                $0.created = 0
                $0.changed = 0
                $0.unchanged = objects.count
            }
        }
    }
}
