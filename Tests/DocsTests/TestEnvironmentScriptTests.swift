import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// scripts/test-env.sh from a clone other users cannot enter, and what it says it changes.
@Suite("the test environment script")
struct TestEnvironmentScriptTests {
    /// Runs `provision_test_env_server_reachable` with the server at `bin`, copies under `copies`;
    /// prints the server directory the tests then use.
    static func reachableServer(bin: String, copies: String) throws -> Shell.Outcome {
        try Shell.run("bash", [
            "-c",
            """
            PROVISION_TEST_ENV_FUNCTIONS_ONLY=1 . scripts/test-env.sh
            PROVISION_TEST_PGVECTOR_BIN=$1 PROVISION_TEST_SERVER_COPY_ROOT=$2
            PROVISION_TEST_PLAIN_PG_BIN=${PROVISION_TEST_PLAIN_PG_BIN:-/usr/lib/postgresql/15/bin}
            provision_test_env_server_reachable && printf '%s\\n' "$PROVISION_TEST_PGVECTOR_BIN"
            """,
            "test-env", bin, copies,
        ])
    }

    @Test("a server in a directory the test user cannot enter is given to it as a readable copy")
    func serverInAClosedClone() throws {
        let temporary = try TemporaryDirectory("closed-clone")
        defer { temporary.remove() }
        // As in a clone under root's home (0700) or in a `mktemp -d` directory (0700).
        let server = try temporary.write("#!/bin/sh\necho \"postgres from $0\"\n", to: "clone/.venv/pginstall/bin/postgres")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: server.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: temporary.path("clone"))
        let bin = server.deletingLastPathComponent().path
        let copies = temporary.path("copies")
        let outcome = try Self.reachableServer(bin: bin, copies: copies)
        #expect(outcome.status == 0, "\(outcome)")
        let used = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard getuid() == 0 else {
            // Not root: the tests run PostgreSQL as this user, who reaches its own clone.
            #expect(used == bin, "\(outcome)")
            return
        }
        #expect(used.hasPrefix(copies + "/pginstall-") && used.hasSuffix("/bin"), "\(outcome)")
        #expect(outcome.error.contains("provision-test cannot reach \(bin)"), "it says why: \(outcome)")
        let run = try Shell.run("runuser", ["-u", "provision-test", "--", "\(used)/postgres"])
        #expect(run.status == 0 && run.output.hasPrefix("postgres from \(used)/postgres"), "\(run)")
        // A second run reuses the copy.
        let again = try Self.reachableServer(bin: bin, copies: copies)
        #expect(again.output == outcome.output, "\(again)")
    }

    @Test("a copy the test user cannot reach either stops at once with the reason and the fix")
    func unreachableCopyFails() throws {
        guard getuid() == 0 else {
            // Only root runs PostgreSQL as another user; as anyone else there is nothing to copy.
            #expect(try Self.reachableServer(bin: "/nonexistent", copies: "/nonexistent").status == 0)
            return
        }
        let temporary = try TemporaryDirectory("closed-copies")
        defer { temporary.remove() }
        let server = try temporary.write("#!/bin/sh\n", to: "clone/pginstall/bin/postgres")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: server.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: temporary.path("clone"))
        let closedRoot = temporary.url.appending(path: "closed")
        try FileManager.default.createDirectory(at: closedRoot, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: closedRoot.path)
        let outcome = try Self.reachableServer(
            bin: server.deletingLastPathComponent().path, copies: closedRoot.appending(path: "copies").path)
        #expect(outcome.status != 0, "\(outcome)")
        #expect(outcome.error.contains("test-env: ERROR: provision-test cannot run"), "\(outcome)")
        #expect(outcome.error.contains("chmod o+x") && outcome.error.contains("clone the repository where"))
    }

    @Test("README says what ./scripts/test changes on the machine")
    func readmeNamesTheChanges() throws {
        let readme = try Repository.read("README.md")
        for change in ["libsqlite3-dev", "redis-server", "postgresql-15", "provision-test", "/var/lib/provision-test",
                       "`.venv/`"] {
            #expect(readme.contains(change), "README.md does not mention \(change)")
        }
        // Every Debian package the script installs is named in the README: one list, held together.
        let script = try Repository.read("scripts/test-env.sh")
        let list = try #require(script.firstMatch(of: /\nPROVISION_TEST_DEBIAN_PACKAGES=\(([^)]*)\)/)?.1)
        let packages = list.split(separator: " ").map(String.init)
        #expect(packages.contains("libsqlite3-dev") && packages.contains("zlib1g-dev"))
        for package in packages {
            #expect(readme.contains("`\(package)`"), "README.md does not name \(package), which ./scripts/test installs")
        }
    }
}
