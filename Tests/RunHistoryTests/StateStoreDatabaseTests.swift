import Foundation
import GRDB
@testable import RunHistory
import Testing
import TestSupport
@testable import ProvisionCore

/// The store on an injected database, its schema and its stored values, and its errors.
@Suite("StateStore database")
struct StateStoreDatabaseTests {
    /// Reads a copy of the database file at `url`, so that not even SQLite's WAL files
    /// appear next to the original.
    static func read<T>(_ url: URL, _ body: (Database) throws -> T) throws -> T {
        #expect(!FileManager.default.fileExists(atPath: url.path + "-wal"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.copyItem(at: url, to: directory.storeURL)
        return try DatabaseQueue(path: directory.storeURL.path).read(body)
    }

    /// The tables, indexes and their SQL, as SQLite keeps them.
    static func schema(of url: URL) throws -> [Row] {
        try read(url) { db in
            try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
        }
    }

    /// Every row of the tables 0.1.0 made, in the columns 0.1.0 made (later migrations add columns).
    static func rows(of url: URL) throws -> [Row] {
        let runColumns = "id, commandLine, backend, cluster, startedAt, endedAt, outcome, error, toolVersion, "
            + "manifestsRevision, pid, processStartTime"
        let stepColumns = "id, runId, component, action, state, startedAt, endedAt, durationSeconds, attempt, "
            + "error, note, digest"
        return try read(url) { db in
            try Row.fetchAll(db, sql: "SELECT \(runColumns) FROM run ORDER BY rowid")
                + Row.fetchAll(db, sql: "SELECT \(stepColumns) FROM step ORDER BY rowid")
        }
    }

    @Test func aStoreOnAnInMemoryDatabaseIsMigratedAndNamesNoFile() throws {
        let store = try StateStore(writer: DatabaseQueue())
        #expect(store.url == nil)
        #expect(store.path == ":memory:")
        #expect(try store.appliedMigrations() == StateStoreTests.migrations)
        #expect(try store.runs().isEmpty)
        let error = try #require(throws: StoreError.self) { try store.finishRun(RunID(1), outcome: .succeeded) }
        #expect(error.problem == "run #1 does not exist in the state database")
    }

    @Test func aDatabaseFromANewerReleaseIsRefusedUntouched() throws {
        let queue = try DatabaseQueue()
        try StateStore.migrator.migrate(queue)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')")
        }
        let error = try #require(throws: StoreError.self) { try StateStore(writer: queue) }
        guard case .newerSchema(let path, let unknown) = error else {
            Issue.record("expected newerSchema, got \(error)")
            return
        }
        #expect(path == ":memory:")
        #expect(unknown == ["v9: from the future"])
    }

    /// A new database and a 0.1.0 database opened by this release end with the same schema.
    @Test func aNewDatabaseHasTheSchemaOfAMigratedRelease010File() throws {
        let directory = try TemporaryDirectory()
        _ = try StateStore(url: directory.storeURL)
        let (copy, url) = try StateStoreFixtureTests.copyOfFixture()
        // The copy's directory is deleted when `copy` goes: keep it until the schemas are compared.
        try withExtendedLifetime(copy) {
            _ = try StateStore(url: url)
            let schema = try Self.schema(of: directory.storeURL)
            #expect(schema.count == 11, "v1's 9 entries plus the manifest table and its primary key index")
            #expect(try schema == Self.schema(of: url))
        }
        let schema = try Self.schema(of: directory.storeURL)
        // The v2 columns are there, the rest of v1 as it was.
        let run = try #require(schema.first { $0["name"] == "run" })
        let sql: String = run["sql"]
        #expect(sql.contains("context") && sql.contains("server"))
        // v4: the object lists live with the manifest.
        let manifest = try #require(schema.first { $0["name"] == "manifest" })
        #expect((manifest["sql"] as String).contains("objects"))
    }

    @Test func openingAndReadingTheRelease010FileKeepsEveryRow() throws {
        let (directory, url) = try StateStoreFixtureTests.copyOfFixture()
        defer { directory.remove() }
        do {
            let store = try StateStore(url: url)
            for run in try store.runs() {
                _ = try store.steps(of: run.id)
                #expect(run.context == nil && run.server == nil)
            }
        }
        #expect(try Self.rows(of: url) == Self.rows(of: StateStoreFixtureTests.fixture))
    }

    @Test func valuesAreStoredAsRelease010StoredThem() throws {
        let (directory, url) = try StateStoreFixtureTests.copyOfFixture()
        defer { directory.remove() }
        let store = try StateStore(url: url)
        let old = try #require(try store.run(RunID(1)))
        #expect(old.commandLine.contains("./k8s/overlays/local"))
        let new = try store.beginRun(
            NewRun(
                commandLine: old.commandLine, backend: old.backend, cluster: "another", toolVersion: old.toolVersion,
                manifestsRevision: old.manifestsRevision),
            at: old.startedAt)
        let ended = try #require(old.endedAt)
        try store.finishRun(new, outcome: .succeeded, at: ended)
        // Like step 3 of run 1: `deploy redis`, noted, then succeeded.
        let step = try store.addStep(run: new, component: "redis", action: .deploy)
        try store.markStep(step, .running, at: old.startedAt + 31.125)
        try store.updateStep(step, note: "applied 3 objects", digest: "sha256:0a1b2c")
        try store.markStep(step, .succeeded, at: ended)

        let (commandLines, rows) = try store.writer.read { db in
            let commandLines = try String.fetchAll(
                db, sql: "SELECT commandLine FROM run WHERE id IN (1, ?) ORDER BY id", arguments: [new.rawValue])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT run.startedAt, run.endedAt, run.outcome, run.error, step.component, step.action,
                           step.state, step.startedAt, step.endedAt, step.durationSeconds, step.attempt,
                           step.error, step.note, step.digest
                    FROM run JOIN step ON step.runId = run.id WHERE step.id IN (3, ?) ORDER BY step.id
                    """,
                arguments: [step.rawValue])
            return (commandLines, rows)
        }
        // The command line as the same JSON text (0.1.0 used a plain JSONEncoder: slashes escaped).
        #expect(commandLines == Array(repeating: #"["provision","up","--backend","kind","--only","redis db","--manifests",".\/k8s\/overlays\/local","\"quoted\" ✓"]"#, count: 2))
        // Dates as the same strings, names as the same text, numbers as the same numbers.
        #expect(rows.count == 2)
        #expect(rows.first == rows.last)
        #expect(rows.first?["startedAt"] as String? == "2026-05-28 20:26:40.250")
    }
}
