import Foundation
import GRDB
import ProvisionCore

/// The exact bytes a step applied, kept once per digest, zlib-compressed.
struct StoredManifest: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "manifest"
    var digest: String
    var size: Int
    var body: Data
    /// The objects of that text, each with the digest of its own text (migration v4).
    var objects: [AppliedObject]?
}

// MARK: - Database records
//
// The records map to the `run` and `step` tables of migration "v1: runs and steps"
// through their `Codable` conformance, the same one `provision history --json` uses.
// The property `StepRecord.runID` reads and writes the column `runId`: SQLite column
// names are case-insensitive, and so are GRDB's rows and persistence containers.

extension RunRecord: Identifiable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run"

    public enum Columns {
        public static let id = Column("id")
        public static let commandLine = Column("commandLine")
        public static let backend = Column("backend")
        public static let cluster = Column("cluster")
        public static let startedAt = Column("startedAt")
        public static let endedAt = Column("endedAt")
        public static let outcome = Column("outcome")
        public static let error = Column("error")
        public static let toolVersion = Column("toolVersion")
        public static let manifestsRevision = Column("manifestsRevision")
        public static let pid = Column("pid")
        public static let processStartTime = Column("processStartTime")
        public static let context = Column("context")
        public static let server = Column("server")
        public static let user = Column("user")
        public static let host = Column("host")
        public static let tools = Column("tools")
    }
}

extension StepRecord: Identifiable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "step"

    public enum Columns {
        public static let id = Column("id")
        /// The schema spells it `runId`.
        public static let runID = Column("runId")
        public static let component = Column("component")
        public static let subject = Column("subject")
        public static let action = Column("action")
        public static let state = Column("state")
        public static let startedAt = Column("startedAt")
        public static let endedAt = Column("endedAt")
        public static let durationSeconds = Column("durationSeconds")
        public static let attempt = Column("attempt")
        public static let error = Column("error")
        public static let note = Column("note")
        public static let digest = Column("digest")
        public static let objects = Column("objects")
        public static let created = Column("created")
        public static let changed = Column("changed")
        public static let unchanged = Column("unchanged")
        public static let secrets = Column("secrets")
    }
}

/// A run as ``StateStore/beginRun(_:at:)`` inserts it: SQLite assigns the id, and the
/// end, outcome and error come later. Inserted with `insertAndFetch(_:as: RunRecord.self)`.
struct PartialRun: Encodable, PersistableRecord {
    static let databaseTableName = RunRecord.databaseTableName
    var commandLine: [String]
    var backend: String
    var cluster: String
    var startedAt: Date
    var outcome: RunOutcome
    var toolVersion: String
    var manifestsRevision: String?
    var pid: Int32
    var processStartTime: UInt64?
    var user: String?
    var host: String?
}

/// A step as ``StateStore/addStep(run:component:subject:action:state:at:)`` inserts it; the
/// schema supplies `attempt` (1), the rest stays NULL until the step is marked.
struct PartialStep: Encodable, PersistableRecord {
    static let databaseTableName = StepRecord.databaseTableName
    var runID: RunID
    var component: ComponentID?
    var subject: String?
    var action: StepAction
    var state: StepState
}
