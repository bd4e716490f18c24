import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished test subprocess left behind.
struct ShellResult: Sendable {
    var status: Int32
    var output: String
    var error: String

    var succeeded: Bool { status == 0 }
    /// For failure messages: the exit status and both streams.
    var summary: String { "exit \(status)\nstdout:\n\(output)\nstderr:\n\(error)" }
}

/// Runs real programs for the manifest tests (kubectl, kubernetes-validate, PostgreSQL,
/// Redis). Test-only: the product starts subprocesses through ProvisionCore's CommandRunner.
///
/// Spawns with posix_spawn and reaps with waitpid on the child's own pid. Foundation's
/// Process learns about exits from SIGCHLD, which can be lost in a test process whose
/// threads handle signals differently (seen here: children left as zombies, tests hung).
enum Shell {
    /// Runs `arguments` (looked up on PATH) to completion. Kills it after `timeout` seconds.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) throws
        -> ShellResult
    {
        let process = try RunningProcess(arguments, environment: environment)
        let status = process.wait(timeout: timeout)
        guard let status else {
            process.stop(with: SIGKILL)
            return ShellResult(status: -1, output: process.readOutput(),
                               error: "timed out after \(Int(timeout)) s: \(arguments.joined(separator: " "))\n\(process.readError())")
        }
        return ShellResult(status: status, output: process.readOutput(), error: process.readError())
    }

    /// Starts `arguments` without waiting; the caller stops it.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> RunningProcess {
        try RunningProcess(arguments, environment: environment)
    }
}

struct SpawnError: Error, CustomStringConvertible {
    var description: String
}

/// A started subprocess whose output goes to temporary files (pipes could fill and block).
final class RunningProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?
    private let outputFile: URL
    private let errorFile: URL

    init(_ arguments: [String], environment: [String: String]) throws {
        let scratch = FileManager.default.temporaryDirectory
        outputFile = scratch.appending(path: "manifest-tests-\(UUID().uuidString).out")
        errorFile = scratch.appending(path: "manifest-tests-\(UUID().uuidString).err")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        // The child starts with default signal handling and nothing blocked, whatever the
        // test process does with its threads' signal masks.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGCHLD, SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // posix_spawnp searches the PATH of *this* process; look the program up in the
        // child's PATH instead, so a test can put a different server version first.
        let program = Self.resolve(arguments[0], path: merged["PATH"] ?? "")
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    deinit {
        stop(with: SIGKILL)
        try? FileManager.default.removeItem(at: outputFile)
        try? FileManager.default.removeItem(at: errorFile)
    }

    static func resolve(_ program: String, path: String) -> String {
        if program.contains("/") { return program }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return program
    }

    var isRunning: Bool { poll() == nil }

    /// The exit status once the child has ended (reaping it), nil while it runs.
    private func poll(blocking: Bool = false) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        guard reaped == pid else { return nil }
        let low = status & 0x7f
        exitStatus = low == 0 ? (status >> 8) & 0xff : 128 + low
        return exitStatus
    }

    /// Waits up to `timeout` seconds; nil if it is still running then.
    func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = poll() { return status }
            usleep(10_000)
        }
        return poll()
    }

    func readOutput() -> String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    func readError() -> String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the process to end.
    func stop(with signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
        _ = poll(blocking: true)
    }
}
