import Foundation
import GRDB
import ProvisionCore

/// The SQLite file that records every run and every step of it.
///
/// Every state change is written the moment it happens, so a process that is
/// killed leaves an honest record behind; the next user of the store notices
/// runs whose process is gone (``recoverAbandonedRuns()``). Several `provision`
/// processes may share one file: SQLite's locking plus a busy timeout serialise
/// their writes, and ``beginRun(_:)`` refuses a second run on a busy cluster.
public final class StateStore: Sendable {
    /// Where the database file lives; `nil` when the store was given a database (``init(writer:)``).
    public let url: URL?
    /// The database path that errors name: the file, or `:memory:` for an in-memory database.
    public let path: String
    /// The connection to the database: a `DatabaseQueue` on the file, or what a caller injected.
    let writer: any DatabaseWriter

    /// `$PROVISION_STATE_DIR/state.sqlite`, else `$XDG_STATE_HOME/provision/state.sqlite`,
    /// else `~/.local/state/provision/state.sqlite`: outside any git checkout.
    public static func defaultLocation(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let directory = environment["PROVISION_STATE_DIR"], !directory.isEmpty {
            return file(in: URL(fileURLWithPath: directory, isDirectory: true))
        }
        if let stateHome = environment["XDG_STATE_HOME"], !stateHome.isEmpty {
            return file(in: URL(fileURLWithPath: stateHome, isDirectory: true).appending(path: "provision"))
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return file(in: URL(fileURLWithPath: home, isDirectory: true).appending(path: ".local/state/provision"))
    }

    /// The database's file in a state directory (`--state-dir`, `$PROVISION_STATE_DIR`).
    public static func file(in stateDirectory: URL) -> URL { stateDirectory.appending(path: "state.sqlite") }

    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    /// - Throws: ``StoreError`` naming the path and the fix; a damaged file is never reset.
    public convenience init(url: URL) throws {
        let path = url.path
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: error.localizedDescription)
        }

        var configuration = Configuration()
        configuration.label = "provision-state"
        // Another provision process may be writing; wait for it rather than failing.
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        // WAL lets `provision history` read while a deploy writes. With synchronous=NORMAL a
        // commit reaches the OS before returning, so a killed process loses nothing;
        // only a power cut may lose the last commits.
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }

        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.storeError(error, path: path, opening: true)
        }
        try self.init(writer: queue, url: url)
    }

    /// A store for reading only: the file at `url` is opened read-only and copied into memory,
    /// where its schema is brought up to date, so `history` works on a copied or read-only
    /// database (or one written by an older provision) and never changes the file. What the
    /// copy is asked to write (marking abandoned runs interrupted) stays in memory.
    /// - Throws: ``StoreError`` naming the path and the fix.
    public convenience init(readingCopyOf url: URL) throws {
        let path = url.path
        var configuration = Configuration()
        configuration.label = "provision-state-read-only"
        configuration.readonly = true
        configuration.busyMode = .timeout(15)
        let copy: DatabaseQueue
        do {
            let file = try DatabaseQueue(path: path, configuration: configuration)
            copy = try DatabaseQueue()
            try file.backup(to: copy)
            try file.close()
        } catch {
            throw Self.storeError(error, path: path, opening: true)
        }
        try self.init(writer: copy, url: url, path: path)
    }

    /// A store on a database the caller opened, e.g. an in-memory `DatabaseQueue()` in
    /// tests; its schema is brought up to date the same way.
    /// - Throws: ``StoreError`` naming `writer.path` and the fix.
    public convenience init(writer: any DatabaseWriter) throws {
        try self.init(writer: writer, url: nil)
    }

    private init(writer: any DatabaseWriter, url: URL?, path explicitPath: String? = nil) throws {
        self.writer = writer
        self.url = url
        path = explicitPath ?? writer.path
        do {
            let migrator = Self.migrator
            let unknown = try writer.read { db in
                try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
            }
            guard unknown.isEmpty else {
                throw StoreError.newerSchema(path: path, unknownMigrations: unknown.sorted())
            }
            try migrator.migrate(writer)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path, opening: true)
        }
    }

    /// Runs `body` in an IMMEDIATE transaction, translating database failures into ``StoreError``.
    ///
    /// Every write reads first: the record it changes, or who holds the cluster. IMMEDIATE takes
    /// the write lock at BEGIN, where the busy timeout waits for another process, so a
    /// check-then-insert cannot race it, and no read snapshot has to be upgraded to a write
    /// (which SQLite refuses at once with SQLITE_BUSY when another process wrote meanwhile).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path, opening: false)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path, opening: false)
        }
    }

    static func storeError(_ error: any Error, path: String, opening: Bool) -> StoreError {
        guard let databaseError = error as? DatabaseError else {
            return .database(path: path, reason: String(describing: error))
        }
        let reason = databaseError.message ?? "\(databaseError.resultCode)"
        switch databaseError.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .unreadable(path: path, reason: reason)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
            return .cannotOpen(path: path, reason: reason)
        default:
            return opening ? .unreadable(path: path, reason: reason) : .database(path: path, reason: reason)
        }
    }
}

extension StateStore {
    /// Identifiers of the migrations applied to the file, in order; for diagnostics and tests.
    public func appliedMigrations() throws -> [String] {
        try read { db in try Self.migrator.appliedMigrations(db) }
    }
}

/// The SQLite store is the engine's journal: the deployer records every run and step in it.
extension StateStore: RunJournal {}
