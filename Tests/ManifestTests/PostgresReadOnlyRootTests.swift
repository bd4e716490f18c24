import Foundation
import TestSupport
import Testing

/// Both PostgreSQL StatefulSets run with `readOnlyRootFilesystem: true`. A real PostgreSQL is
/// started here with exactly the writable paths the rendered manifest mounts, everything else
/// read-only, and must initialise, start, run init-db.sh and answer the probes.
///
/// What the image writes (docker-library/postgres, 15/bookworm and 15/alpine): PGDATA on the
/// volume; its Unix socket and lock file in /var/run/postgresql (the compiled-in default of
/// both images, which the server here is given with -k); /tmp for the entrypoint's heredocs and
/// nss_wrapper files (the entrypoint itself is not part of these binaries, so /tmp is given as
/// TMPDIR only).
@Suite("PostgreSQL under a read-only root filesystem, against a real server")
struct PostgresReadOnlyRootTests {
    static let socketPath = "/var/run/postgresql"
    static let temporaryPath = "/tmp"

    /// The container as rendered, and where its paths are placed under `scratch`.
    struct Database {
        var manifest: Container
        var pgdata: String

        static func load(_ statefulSet: String) async throws -> Database {
            let rendering = try await RenderCache.shared.rendering(of: .localOverlay)
            let workload = try #require(rendering.object("StatefulSet", statefulSet))
            let container = try #require(workload.containers.first { $0.name == "postgres" })
            let pgdata = try #require(
                container.env.first { Tree.string($0["name"]) == "PGDATA" }.flatMap { Tree.string($0["value"]) })
            return Database(manifest: container, pgdata: pgdata)
        }

        /// Each writable mount of the container becomes a writable directory under `scratch`;
        /// the paths the server needs are placed at the same relative places, writable only
        /// when a mount covers them.
        func layout(in scratch: TemporaryDirectory, mounts: [String]? = nil) throws -> PostgresServer.Layout {
            let writableMounts = (mounts ?? ReadOnlyRoot.writableMounts(of: manifest)).filter { !$0.hasPrefix("/dev/") }
            func place(_ path: String) throws -> String {
                let directory = scratch.path("fs" + path)
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                return directory
            }
            let writable = try writableMounts.map(place)
            let pgdataParent = (pgdata as NSString).deletingLastPathComponent
            _ = try place(pgdataParent)
            return PostgresServer.Layout(
                dataDirectory: scratch.path("fs" + pgdata), socketDirectory: try place(socketPath),
                temporaryDirectory: try place(temporaryPath), writable: writable)
        }
    }

    @Test("the database containers declare a read-only root", arguments: ["postgres", "authentik-postgres"])
    func declaresReadOnlyRoot(_ statefulSet: String) async throws {
        let container = try await Database.load(statefulSet)
        #expect(ReadOnlyRoot.isReadOnly(container.manifest))
        let mounts = ReadOnlyRoot.writableMounts(of: container.manifest)
        for path in [container.pgdata, Self.socketPath, Self.temporaryPath] {
            #expect(ReadOnlyRoot.isCovered(path, by: mounts), "\(statefulSet): \(path) is not on a writable volume")
        }
    }

    @Test("initdb, start, init-db.sh and the probes work with only the manifest's writable paths",
          arguments: ["postgres", "authentik-postgres"])
    func serverRunsReadOnly(_ statefulSet: String) async throws {
        let container = try await Database.load(statefulSet)
        let manifest = try await PostgresInitTests.Manifest.load()
        let scratch = try TemporaryDirectory("postgres-ro")
        let layout = try container.layout(in: scratch)
        let server = try await PostgresServer(
            binDirectory: try PostgresServer.pgvectorBin, superuser: manifest.superuser, layout: layout)

        if statefulSet == "postgres" {
            let script = scratch.url.appending(path: "init-db.sh")
            try ExecutableFile.write(manifest.script, to: script)
            var environment = manifest.environment(for: server)
            environment["TMPDIR"] = layout.temporaryDirectory
            let result = try await ChildProcess.run(
                ReadOnlyRoot.command([script.path], writable: layout.writable, environment: environment), limit: 60)
            #expect(result.succeeded, "init-db.sh under a read-only root: \(result.description)")
            #expect(try await server.query("SELECT count(*) FROM pg_extension WHERE extname = 'vector'",
                                           database: manifest.database) == "1")
        }
        let environment = manifest.environment(for: server)
        for (kind, command) in manifest.probeCommands.sorted(by: { $0.key < $1.key }) {
            let result = try await ChildProcess.run(command, environment: ChildProcess.environment(adding: environment), limit: 120)
            #expect(result.succeeded, "\(kind): \(result.description)")
        }
        // Nothing was written outside the writable paths: the sandbox refuses it, so a write
        // elsewhere would have failed above. Check the sandbox itself refuses.
        let probe = try await ChildProcess.run(
            ReadOnlyRoot.command(["sh", "-c", "touch \(scratch.path("outside")) 2>&1"], writable: layout.writable), limit: 120)
        #expect(!probe.succeeded && probe.standardOutput.contains("Read-only file system"), "\(probe.description)")
    }

    @Test("without the socket directory's emptyDir the server cannot start (the check can fail)")
    func withoutSocketDirectoryItFails() async throws {
        let container = try await Database.load("postgres")
        let manifest = try await PostgresInitTests.Manifest.load()
        let mounts = ReadOnlyRoot.writableMounts(of: container.manifest).filter { $0 != Self.socketPath }
        let scratch = try TemporaryDirectory("postgres-ro-fail")
        let layout = try container.layout(in: scratch, mounts: mounts)
        do {
            _ = try await PostgresServer(binDirectory: try PostgresServer.pgvectorBin, superuser: manifest.superuser, layout: layout)
            Issue.record("PostgreSQL started although its socket directory was read-only")
        } catch let error as SetupError {
            #expect(error.description.contains("Read-only file system"), "\(error.description)")
        }
    }
}
