import Foundation
import ProcessRunning
@testable import RunHistory
import TestSupport
import Testing
@testable import ProvisionCore

/// Against real programs via /bin/sh.
@Suite("SubprocessCommandRunner")
struct SubprocessCommandRunnerTests {
    let runner = SubprocessCommandRunner(terminationGracePeriod: .milliseconds(500))

    /// True while `pid` exists and is not a zombie.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = ProcessIdentity.stat(of: pid) else { return kill(pid, 0) == 0 }
        return stat.state != "Z" && stat.state != "X"
    }

    /// Waits (bounded) for a file that a child writes its pid into.
    static func readPID(at url: URL) async throws -> Int32 {
        for _ in 0..<1000 {
            if let text = try? String(contentsOf: url, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return pid
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Problem(problem: "no pid file at \(url.path)", fix: "check the child started")
    }

    /// Waits (bounded) until `pid` has stopped running.
    static func waitUntilGone(_ pid: Int32) async -> Bool {
        for _ in 0..<1000 {
            if !isRunning(pid) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func reportsExitStatusAndOutputs() async throws {
        let output = try await runner.execute(Command("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]))
        #expect(output.exitStatus == 3)
        #expect(output.standardOutput == "out\n")
        #expect(output.standardError == "err\n")

        let error = try await #require(throws: CommandError.self) {
            try await runner.run(Command("/bin/sh", ["-c", "echo boom >&2; exit 4"]))
        }
        #expect(error.reason == .exited(4))
        #expect(error.combinedOutput == "boom")
        #expect(String(describing: error).contains("/bin/sh -c 'echo boom >&2; exit 4'"))
    }

    @Test func writesStandardInput() async throws {
        let secret = "s3cr3t value\nsecond line"
        let output = try await runner.run(Command("cat", standardInput: Data(secret.utf8)))
        #expect(output.standardOutput == secret)
        // Without input the program sees end of file at once instead of waiting.
        let empty = try await runner.run(Command("cat"))
        #expect(empty.standardOutput.isEmpty)
    }

    #if os(Linux)
    /// Secrets travel on standard input: the child reads a file no path leads to (unlinked before
    /// the bytes were written), and nothing of it stays behind.
    @Test func standardInputIsAnUnlinkedFileThatLeavesNothingBehind() async throws {
        let output = try await runner.run(
            Command("/bin/sh", ["-c", "readlink /proc/self/fd/0; cat"], standardInput: Data("s3cr3t".utf8)))
        let lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        let first = String(try #require(lines.first))
        #expect(first.hasSuffix(" (deleted)"), "not an unlinked file: \(first)")
        let path = String(first.dropLast(" (deleted)".count))
        #expect(URL(filePath: path).lastPathComponent.hasPrefix("provision-stdin-"), "\(first)")
        #expect(!FileManager.default.fileExists(atPath: path), "no path leads to it")
        #expect(lines.last == "s3cr3t")
    }
    #endif

    @Test func passesEnvironmentAndWorkingDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = try await runner.run(
            Command("/bin/sh", ["-c", "echo \"$GREETING\"; pwd"], environment: ["GREETING": "hello there"],
                    workingDirectory: directory.url.path))
        let lines = output.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "hello there")
        #expect(URL(fileURLWithPath: lines.last ?? "").resolvingSymlinksInPath() == directory.url.resolvingSymlinksInPath())
        // The rest of the environment is inherited.
        let home = try await runner.run(Command("/bin/sh", ["-c", "echo \"$HOME\""])).standardOutput
        #expect(home == (ProcessInfo.processInfo.environment["HOME"] ?? "") + "\n")
    }

    @Test func resolvesNamesOnThePathGivenByTheCommand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tool = directory.url.appending(path: "provision-test-tool")
        try ExecutableFile.write("#!/bin/sh\necho \"tool says $1\"\n", to: tool)
        let path = directory.url.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

        let output = try await runner.run(Command("provision-test-tool", ["hi"], environment: ["PATH": path]))
        #expect(output.standardOutput == "tool says hi\n")

        // Without that PATH the name is unknown.
        let error = try await #require(throws: CommandError.self) {
            try await runner.execute(Command("provision-test-tool"))
        }
        #expect(error.reason == .notFound)
    }

    @Test func missingExecutableIsNotFound() async throws {
        let error = try await #require(throws: CommandError.self) {
            try await runner.execute(Command("provision-no-such-program-\(UUID().uuidString.prefix(8))", ["--version"]))
        }
        #expect(error.reason == .notFound)
        #expect(String(describing: error).contains("was not found on PATH"))

        let absolute = try await #require(throws: CommandError.self) {
            try await runner.execute(Command("/nonexistent/dir/tool"))
        }
        #expect(absolute.reason == .notFound)
    }

    @Test func collectsLargeOutput() async throws {
        let output = try await runner.run(Command("/bin/sh", ["-c", "head -c 3000000 /dev/zero | tr '\\0' a"]))
        #expect(output.standardOutput.utf8.count == 3_000_000)
    }

    @Test func outputBeyondTheLimitIsAnError() async throws {
        let small = SubprocessCommandRunner(outputLimit: 1000)
        let error = try await #require(throws: CommandError.self) {
            try await small.execute(Command("/bin/sh", ["-c", "head -c 5000 /dev/zero"]))
        }
        #expect(String(describing: error).contains("exceeded 1000 bytes"))
    }

    @Test func timeoutKillsTheProgramAndItsChildren() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pidFile = directory.url.appending(path: "child.pid")
        // The shell starts a background grandchild and waits: both must be stopped.
        let command = Command(
            "/bin/sh", ["-c", "sleep 300 & echo $! > '\(pidFile.path)'; wait"], timeout: .milliseconds(400))

        let error = try await #require(throws: CommandError.self) { try await runner.execute(command) }
        #expect(error.reason == .timedOut(.milliseconds(400)))
        #expect(String(describing: error).contains("timed out"))
        let grandchild = try await Self.readPID(at: pidFile)
        #expect(await Self.waitUntilGone(grandchild))
    }

    @Test func cancellingTheTaskTerminatesTheProgram() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pidFile = directory.url.appending(path: "shell.pid")
        let runner = runner
        let task = Task {
            try await runner.execute(Command("/bin/sh", ["-c", "echo $$ > '\(pidFile.path)'; sleep 300; echo late"]))
        }
        let shell = try await Self.readPID(at: pidFile)
        #expect(Self.isRunning(shell))
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(await Self.waitUntilGone(shell))
    }

    @Test func programKilledBySignalIsNotSuccess() async throws {
        let output = try await runner.execute(Command("/bin/sh", ["-c", "kill -TERM $$"]))
        #expect(output.exitStatus == 128 + SIGTERM)
    }
}
