import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished `provision` process left behind.
struct ProcessResult: CustomStringConvertible {
    var exitCode: Int32
    var standardOutput: String
    var standardError: String

    var description: String {
        "exit \(exitCode)\n--- stdout ---\n\(standardOutput)\n--- stderr ---\n\(standardError)"
    }
}

/// (Same as Tests/CLITests/Support/ProcessResult.swift: test targets cannot share sources.)
/// A child process started with posix_spawn, its output going to files, reaped with
/// waitpid on its own pid. No Foundation `Process`, no reader threads, no SIGCHLD
/// handling: the whole test suite shares one process with other suites that start
/// programs their own way, and nothing here depends on them.
final class RunningProcess: @unchecked Sendable {
    let pid: pid_t
    private let directory: URL
    private var status: Int32?

    /// - Parameters:
    ///   - executable: the program (absolute path).
    ///   - workingDirectory: where it runs (entered by a tiny `sh` that then `exec`s it,
    ///     so `pid` is the program's own pid).
    ///   - input: bytes on standard input (else /dev/null).
    init(executable: URL, arguments: [String], environment: [String: String], directory workingDirectory: URL,
         input: Data? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "provision-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let inputPath: String
        if let input {
            inputPath = directory.appending(path: "stdin").path
            try input.write(to: URL(filePath: inputPath))
        } else {
            inputPath = "/dev/null"
        }

        let argv = ["/bin/sh", "-c", #"cd "$0" || exit 127; exec "$@""#, workingDirectory.path, executable.path]
            + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, directory.appending(path: "stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(
            &actions, 2, directory.appending(path: "stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        // Default signal handling and an empty mask, as a shell would give a command.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var child: pid_t = 0
        let result = Self.withCStrings(argv) { cArgv in
            Self.withCStrings(envp) { cEnvp in
                posix_spawn(&child, "/bin/sh", &actions, &attributes, cArgv, cEnvp)
            }
        }
        guard result == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "posix_spawn failed: \(result)"])
        }
        pid = child
    }

    deinit {
        if status == nil { kill(pid, SIGKILL); _ = waitpid(pid, nil, 0) }
        try? FileManager.default.removeItem(at: directory)
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits for the process; kills it after `limit` seconds so the test fails with its output.
    func wait(limit: TimeInterval = 60) async -> ProcessResult {
        let deadline = Date().addingTimeInterval(limit)
        var killed = false
        while status == nil {
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid {
                status = raw
                break
            }
            if reaped < 0 {  // ECHILD: someone else reaped it; nothing more to learn.
                status = -1
                break
            }
            if Date() > deadline && !killed {
                kill(pid, SIGKILL)
                killed = true
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        var errorText = read("stderr")
        if killed { errorText += "\n[test harness: killed after \(Int(limit)) s]" }
        return ProcessResult(exitCode: Self.exitCode(status ?? -1), standardOutput: read("stdout"), standardError: errorText)
    }

    private func read(_ name: String) -> String {
        (try? String(contentsOf: directory.appending(path: name), encoding: .utf8)) ?? ""
    }

    /// The shell's convention: the exit status, or 128 + the signal that killed it.
    private static func exitCode(_ status: Int32) -> Int32 {
        if status == -1 { return -1 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
