import Foundation
import TestSupport
import Testing

/// init-db.sh and the pg_isready probes, taken from the rendered manifests and run against
/// real PostgreSQL servers started here.
@Suite("PostgreSQL init script and probes, against a real server")
struct PostgresInitTests {
    /// What the manifests say, read from the rendered objects and the documented Secret.
    struct Manifest {
        var script: String
        var vectorDatabases: String
        var superuser: String
        var database: String
        var probeCommands: [String: [String]]

        static func load() async throws -> Manifest {
            let rendering = try await RenderCache.shared.rendering(of: .localOverlay)
            let configMap = try #require(rendering.object("ConfigMap", "postgres-config"))
            let statefulSet = try #require(rendering.object("StatefulSet", "postgres"))
            let container = try #require(statefulSet.containers.first { $0.name == "postgres" })
            let secret = try #require(
                try KubeObject.parseAll(Repository.read("k8s/base/postgres/secrets.example.yaml")).first { $0.kind == "Secret" })
            let literals = Tree.stringDictionary(secret.raw["stringData"])
            var probes: [String: [String]] = [:]
            for kind in ["startupProbe", "livenessProbe", "readinessProbe"] {
                let command: [String] = try #require(container.probeCommand(kind), "\(kind) is not an exec probe")
                probes[kind] = command
            }
            return Manifest(
                script: try #require(Tree.string(configMap.data["init-db.sh"])),
                vectorDatabases: try #require(Tree.string(configMap.data["VECTOR_DATABASES"])),
                superuser: try #require(literals["POSTGRES_USER"]),
                database: try #require(literals["POSTGRES_DB"]),
                probeCommands: probes)
        }

        /// The container's environment as the probes and the script see it.
        func environment(for server: PostgresServer) -> [String: String] {
            server.clientEnvironment.merging([
                "POSTGRES_USER": superuser, "POSTGRES_DB": database, "VECTOR_DATABASES": vectorDatabases,
            ]) { $1 }
        }

        func runScript(against server: PostgresServer, in scratch: TemporaryDirectory) async throws -> ProcessResult {
            let file = scratch.url.appending(path: "init-db.sh")
            try ExecutableFile.write(script, to: file)
            // Over the socket, without PGHOST's TCP: the way the image's entrypoint runs it.
            return try await ChildProcess.run(
                [file.path], environment: ChildProcess.environment(adding: environment(for: server)), limit: 60)
        }
    }

    /// The copy scripts/test-env.sh makes for a clone other users cannot enter must carry the
    /// libraries the wheel vendors (initdb finds libpq through an RPATH relative to itself).
    @Test("the server's user can run its initdb, postgres and pg_ctl: every library they load is within its reach")
    func serverUserRunsThePrograms() async throws {
        let bin = try PostgresServer.pgvectorBin
        let asUser = try PostgresServer.serverUser.map { ["runuser", "-u", $0, "--"] } ?? []
        for program in ["initdb", "postgres", "pg_ctl"] {
            let result = try await ChildProcess.run(asUser + ["\(bin)/\(program)", "--version"], limit: 60)
            #expect(result.succeeded && result.standardOutput.contains("(PostgreSQL)"), "\(program): \(result)")
        }
    }

    @Test("init-db.sh enables vector, and running it twice changes nothing")
    func initScriptIsIdempotent() async throws {
        let manifest = try await Manifest.load()
        let server = try await PostgresServer(binDirectory: try PostgresServer.pgvectorBin, superuser: manifest.superuser)
        let scratch = try TemporaryDirectory("init-db")

        let first = try await manifest.runScript(against: server, in: scratch)
        #expect(first.succeeded, "first run: \(first.description)")
        #expect(first.standardOutput.contains("created database \(manifest.database)"))
        let second = try await manifest.runScript(against: server, in: scratch)
        #expect(second.succeeded, "second run: \(second.description)")
        #expect(!second.standardOutput.contains("created database"))
        #expect(second.standardError.isEmpty, "second run printed: \(second.standardError)")

        let databases = manifest.vectorDatabases.split(separator: " ").map(String.init)
        #expect(databases.contains(manifest.database))
        for database in databases {
            #expect(try await server.query("SELECT count(*) FROM pg_extension WHERE extname = 'vector'", database: database) == "1")
            #expect(try await server.query("SELECT '[1,2]'::vector <-> '[1,5]'::vector", database: database) == "3")
        }
        #expect(try await server.query("SELECT count(*) FROM pg_database WHERE datname = '\(manifest.database)'", database: "postgres") == "1")
    }

    @Test("init-db.sh refuses a server without pgvector, naming the fix")
    func initScriptRefusesMissingExtension() async throws {
        let manifest = try await Manifest.load()
        let server = try await PostgresServer(binDirectory: PostgresServer.plainBin, superuser: manifest.superuser)
        let scratch = try TemporaryDirectory("init-db-plain")
        let result = try await manifest.runScript(against: server, in: scratch)
        #expect(!result.succeeded)
        #expect(result.standardError.contains("no 'vector' extension"), "\(result.description)")
        #expect(try await server.query("SELECT count(*) FROM pg_database WHERE datname = '\(manifest.database)'", database: "postgres") == "0")
    }

    @Test("the pg_isready probes pass against the server and fail once it is stopped")
    func probesAnswer() async throws {
        let manifest = try await Manifest.load()
        let server = try await PostgresServer(binDirectory: try PostgresServer.pgvectorBin, superuser: manifest.superuser)
        _ = try await server.query("CREATE DATABASE \(manifest.database)", database: "postgres")
        let environment = manifest.environment(for: server)
        for (kind, command) in manifest.probeCommands.sorted(by: { $0.key < $1.key }) {
            #expect(command.joined(separator: " ").contains("-h 127.0.0.1"), "\(kind) must test TCP")
            let result = try await ChildProcess.run(
                command, environment: ChildProcess.environment(adding: environment), limit: 120)
            #expect(result.succeeded, "\(kind): \(result.description)")
        }
        server.stop()
        for (kind, command) in manifest.probeCommands {
            let result = try await ChildProcess.run(
                command, environment: ChildProcess.environment(adding: environment), limit: 120)
            #expect(!result.succeeded, "\(kind) passed with the server stopped")
        }
    }
}
