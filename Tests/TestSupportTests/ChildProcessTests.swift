import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The runner every test target relies on: if it misreports, their assertions mean nothing.
@Suite("ChildProcess")
struct ChildProcessTests {
    @Test func reportsOutputBothStreamsAndTheExitStatus() async throws {
        let result = try await ChildProcess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], limit: 60)
        #expect(result.exitCode == 3)
        #expect(!result.succeeded)
        #expect(result.standardOutput == "out\n")
        #expect(result.standardError == "err\n")
        #expect(!result.timedOut)
    }

    @Test func givesInputBytesOrDevNullOnStandardInput() async throws {
        let fed = try await ChildProcess.run(["cat"], input: Data("typed\n".utf8), limit: 60)
        #expect(fed.standardOutput == "typed\n")
        let empty = try await ChildProcess.run(["cat"], limit: 60)
        #expect(empty.succeeded && empty.standardOutput.isEmpty, "\(empty)")
    }

    @Test func runsInTheWorkingDirectoryWithTheGivenEnvironment() async throws {
        let directory = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let result = try await ChildProcess.run(
            ["sh", "-c", "pwd; echo $TESTSUPPORT_PROBE"],
            environment: ChildProcess.environment(adding: ["TESTSUPPORT_PROBE": "seen"]),
            workingDirectory: directory, limit: 60)
        #expect(result.standardOutput == "\(directory.path)\nseen\n", "\(result)")
    }

    @Test func looksProgramsUpOnTheChildsPath() async throws {
        #expect(throws: SpawnError.self) {
            _ = try ChildProcess(["no-such-program-\(UUID().uuidString)"])
        }
        let found = try await ChildProcess.run(["true"], environment: ["PATH": "/usr/bin:/bin"], limit: 60)
        #expect(found.succeeded)
    }

    @Test func aSignalGivesTheShellsExitCode() async throws {
        let child = try ChildProcess(["sleep", "30"])
        #expect(child.isRunning)
        child.signal(SIGTERM)
        let result = await child.wait(limit: 60)
        #expect(result.exitCode == 128 + SIGTERM, "\(result)")
        #expect(!child.isRunning)
    }

    @Test func aChildPastItsLimitIsKilledAndShowsItsOutput() async throws {
        let result = try await ChildProcess.run(["sh", "-c", "echo before; exec sleep 60"], limit: 0.5)
        // Killed, not ended on its own (that would be exit 0): the kill proves the limit acted,
        // whatever the clock says. (A bound on the elapsed time failed at 51 s on a 2-core
        // machine running two builds beside the suite; issue 15.)
        #expect(result.timedOut)
        #expect(result.exitCode == 128 + SIGKILL)
        #expect(result.standardOutput == "before\n")
        #expect(result.standardError.contains("killed after"))
    }

    @Test func theBlockingVariantAgrees() throws {
        let result = try ChildProcess.runBlocking(["sh", "-c", "echo hi; exit 7"], limit: 60)
        #expect(result.exitCode == 7)
        #expect(result.trimmedOutput == "hi")
        let hung = try ChildProcess.runBlocking(["sleep", "60"], limit: 0.3)
        #expect(hung.timedOut && hung.exitCode == 128 + SIGKILL)
    }

    #if os(Linux)
    /// A descriptor the test process holds open (without close-on-exec) must not reach the
    /// child: an inherited write descriptor on a script makes its exec fail with ETXTBSY.
    /// The high descriptor comes from the kernel (F_DUPFD: the lowest free one from 250 up),
    /// never from dup2 onto a chosen number: in this many-threaded process that number may
    /// belong to another test's pipe, which dup2 would silently close (issue 15).
    @Test func theChildInheritsNoOtherDescriptors() async throws {
        let opened = open("/dev/null", O_WRONLY)
        try #require(opened >= 0)
        let high = fcntl(opened, F_DUPFD, 250)
        close(opened)
        try #require(high >= 250)
        defer { close(high) }
        let result = try await ChildProcess.run(
            ["sh", "-c", "if [ -e /proc/self/fd/\(high) ]; then echo inherited; else echo closed; fi"], limit: 60)
        #expect(result.trimmedOutput == "closed", "\(result)")
    }
    #endif

    @Test func findsTheBuiltExecutablesAndTheRepository() {
        #expect(BuildProducts.provision != nil)
        #expect(FileManager.default.fileExists(atPath: Repository.file("Package.swift").path))
    }
}

/// Free ports for the servers tests start: never from the range outgoing connections use.
@Suite("free ports")
struct FreePortTests {
    @Test("a free port lies outside the ephemeral range and can be listened on")
    func outsideTheEphemeralRange() throws {
        let ephemeral = ListeningSocket.ephemeralRange()
        for _ in 0..<20 {
            let port = try ListeningSocket.freePort()
            #expect(!ephemeral.contains(port), "\(port) is in \(ephemeral)")
            let socket = try ListeningSocket(port: port)
            socket.close()
        }
        #expect(ListeningSocket.below(32768...60999) == 10_000...32767)
        #expect(ListeningSocket.below(1024...65535).lowerBound == 65_000)
    }
}
