import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished child process left behind.
public struct ProcessResult: Sendable, CustomStringConvertible {
    /// The shell's convention: the exit status, or 128 + the signal that ended it.
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String
    /// The child outlived its time limit and was killed (`exitCode` is then 137).
    public var timedOut: Bool

    public var succeeded: Bool { exitCode == 0 }
    public var trimmedOutput: String { standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) }

    public var description: String {
        "exit \(exitCode)\n--- stdout ---\n\(standardOutput)\n--- stderr ---\n\(standardError)"
    }
}

/// Why a program could not be started at all.
public struct SpawnError: Error, CustomStringConvertible {
    public var description: String
}

/// The one way tests run programs: posix_spawn, output to files, reaped with `waitpid`
/// on the child's own pid.
///
/// Why not Foundation's `Process`: on Linux it learns that a child ended from SIGCHLD,
/// and in the shared test binary (many suites, threads with their own signal masks)
/// that signal can be missed. The child stays a zombie and `waitUntilExit()` never
/// returns; a whole `swift test` run hung that way. Polling `waitpid(pid, WNOHANG)`
/// needs no signal, and the time limit turns a hung child into a failed test that shows
/// the child's output.
///
/// Output goes to temporary files rather than pipes, so a chatty child never blocks on
/// a full pipe and no reader thread is needed.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let scratch: URL
    private let lock = NSLock()
    private var rawStatus: Int32?  // guarded by lock; set once the child is reaped

    /// Starts a program.
    /// - Parameters:
    ///   - arguments: the program and its arguments. A program without `/` is looked up in
    ///     the child's `PATH` (from `environment`), so a test can put its own tools first.
    ///   - environment: the child's whole environment (default: this process's; see
    ///     `environment(adding:)`).
    ///   - workingDirectory: where it runs (entered by a tiny `sh` that then `exec`s the
    ///     program, so `pid` is still the program's own pid). Default: the current directory.
    ///   - input: bytes on standard input; nil gives /dev/null.
    public init(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: URL? = nil, input: Data? = nil) throws {
        guard let program = arguments.first else { throw SpawnError(description: "no program to run: empty arguments") }
        let executable = try Self.resolve(program, path: environment["PATH"] ?? "/usr/bin:/bin")

        scratch = FileManager.default.temporaryDirectory.appending(path: "provision-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var inputPath = "/dev/null"
        if let input {
            inputPath = scratch.appending(path: "stdin").path
            try input.write(to: URL(filePath: inputPath))
        }

        var argv = [executable] + arguments.dropFirst()
        var launcher = executable
        if let workingDirectory {
            argv = ["/bin/sh", "-c", #"cd "$0" || exit 127; exec "$@""#, workingDirectory.path] + argv
            launcher = "/bin/sh"
        }
        let envp = environment.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, scratch.appending(path: "stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(
            &actions, 2, scratch.appending(path: "stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #if os(Linux)
        // Nothing else the test process has open reaches the child: a script another test is
        // still writing would otherwise stay open for writing in it, and exec of that script
        // fails with ETXTBSY ("Text file busy").
        // (glibc >= 2.34 has the action, but Swift's Glibc module does not declare it: no _GNU_SOURCE.)
        _ = Self.closeFrom?(&actions, 3)
        #endif

        // Default signal handling and nothing blocked, as a shell gives a command, whatever
        // the test runner's thread did with its own mask.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGCHLD, SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var child: pid_t = 0
        var result: Int32 = 0
        // ETXTBSY: a child another thread forked a moment ago still holds a just-written script
        // open (inherited before closefrom ran); it closes it within milliseconds.
        for attempt in 0..<50 {
            if attempt > 0 { usleep(20_000) }
            result = Self.withCStrings(argv) { cArgv in
                Self.withCStrings(envp) { cEnvp in posix_spawn(&child, launcher, &actions, &attributes, cArgv, cEnvp) }
            }
            if result != ETXTBSY { break }
        }
        guard result == 0 else {
            try? FileManager.default.removeItem(at: scratch)
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: scratch)
    }

    /// This process's environment with `extra` on top.
    public static func environment(adding extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(extra) { $1 }
    }

    // MARK: Running to completion

    /// Runs a program to completion (see `init` for the parameters); kills it after `limit` seconds.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                           workingDirectory: URL? = nil, input: Data? = nil, limit: TimeInterval = 120)
        async throws -> ProcessResult
    {
        try await ChildProcess(arguments, environment: environment, workingDirectory: workingDirectory, input: input)
            .wait(limit: limit)
    }

    /// `run` for callers that cannot be async (a `deinit`, a server fixture's synchronous
    /// setup). It holds its thread while the child runs: prefer `run`.
    public static func runBlocking(_ arguments: [String],
                                   environment: [String: String] = ProcessInfo.processInfo.environment,
                                   workingDirectory: URL? = nil, input: Data? = nil, limit: TimeInterval = 120)
        throws -> ProcessResult
    {
        try ChildProcess(arguments, environment: environment, workingDirectory: workingDirectory, input: input)
            .waitBlocking(limit: limit)
    }

    // MARK: Waiting

    /// Waits for the child, polling every 10 ms; kills it after `limit` seconds so the test
    /// fails with its output instead of hanging the suite.
    public func wait(limit: TimeInterval = 120) async -> ProcessResult {
        var watch = Watch(limit: limit)
        while !hasEnded(&watch) { try? await Task.sleep(for: .milliseconds(10)) }
        return result(watch)
    }

    /// `wait` holding the calling thread (see `runBlocking`).
    public func waitBlocking(limit: TimeInterval = 120) -> ProcessResult {
        var watch = Watch(limit: limit)
        while !hasEnded(&watch) { usleep(10_000) }
        return result(watch)
    }

    // MARK: While it runs

    /// True until the child has ended (checking reaps it).
    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Sends `signal` (SIGINT, SIGTERM, ...) to the child.
    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Kills the child with SIGKILL and reaps it: for cleanup, where nothing else is wanted.
    public func stop() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        _ = reap(blocking: true)
    }

    /// What the child has written so far.
    public var standardOutput: String { read("stdout") }
    public var standardError: String { read("stderr") }

    // MARK: Internals

    /// The time limit of one wait, and whether it ran out.
    private struct Watch {
        let limit: TimeInterval
        let deadline: Date
        var killed = false
        init(limit: TimeInterval) {
            self.limit = limit
            deadline = Date().addingTimeInterval(limit)
        }
    }

    /// One poll of a wait: true once the child has been reaped; kills it once the limit has passed.
    private func hasEnded(_ watch: inout Watch) -> Bool {
        if reap(blocking: false) != nil { return true }
        if !watch.killed && Date() > watch.deadline {
            kill(pid, SIGKILL)
            watch.killed = true
        }
        return false
    }

    /// The raw wait status once the child has ended, nil while it runs.
    private func reap(blocking: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let rawStatus { return rawStatus }
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while reaped < 0 && errno == EINTR
        if reaped == pid {
            rawStatus = status
        } else if reaped < 0 {
            rawStatus = -1  // ECHILD: reaped elsewhere; its status is lost.
        }
        return rawStatus
    }

    private func result(_ watch: Watch) -> ProcessResult {
        var errorText = standardError
        if watch.killed { errorText += "\n[test harness: killed after \(Int(watch.limit)) s]" }
        return ProcessResult(exitCode: Self.exitCode(rawStatus ?? -1), standardOutput: standardOutput,
                             standardError: errorText, timedOut: watch.killed)
    }

    private func read(_ name: String) -> String {
        (try? String(contentsOf: scratch.appending(path: name), encoding: .utf8)) ?? ""
    }

    /// The shell's convention: the exit status, or 128 + the signal that killed the child.
    private static func exitCode(_ status: Int32) -> Int32 {
        if status == -1 { return -1 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// `program` itself when it names a path, else the first executable of that name on `path`.
    private static func resolve(_ program: String, path: String) throws -> String {
        if program.contains("/") { return program }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw SpawnError(description: "\(program) is not on PATH (\(path)): install it, or run `source scripts/test-env.sh`")
    }

    #if os(Linux)
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    #endif

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
