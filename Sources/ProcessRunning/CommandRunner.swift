import Foundation

/// One external program invocation, e.g. a cluster tool, curl or git.
///
/// Every subprocess `provision` starts is described by a `Command` and run by a
/// ``CommandRunner``, so tests can substitute executables and errors always
/// carry the exact command line.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    /// Program name looked up on `PATH`, or an absolute path.
    public var executable: String
    public var arguments: [String]
    /// Extra environment variables layered on top of the inherited environment.
    public var environment: [String: String]
    /// Bytes written to standard input. Never included in errors or logs,
    /// because secrets travel this way.
    public var standardInput: Data?
    public var workingDirectory: String?
    /// Upper bound for the whole invocation; `nil` waits indefinitely.
    public var timeout: Duration?

    /// The limit for a local one-line answer (`git rev-parse`, `kubectl config current-context`):
    /// generous, because a loaded 2-core machine (the full test suite beside other builds) was
    /// seen to keep one waiting for more than 30 s.
    public static let localQueryTimeout: Duration = .seconds(120)

    public init(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        standardInput: Data? = nil,
        workingDirectory: String? = nil,
        timeout: Duration? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.workingDirectory = workingDirectory
        self.timeout = timeout
    }

    /// The command line as a user could paste it into a shell.
    public var description: String {
        ([executable] + arguments).map(Self.shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./=:,@%+"))
        if !word.isEmpty, word.unicodeScalars.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// What a finished program left behind.
public struct CommandOutput: Sendable, Hashable {
    public var exitStatus: Int32
    public var standardOutput: String
    public var standardError: String

    public init(exitStatus: Int32, standardOutput: String, standardError: String) {
        self.exitStatus = exitStatus
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// A command that could not be started, failed, or ran out of time.
/// The description names the command line, the exit status and the output,
/// which is what a user needs to reproduce the problem by hand.
public struct CommandError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case notFound
        case exited(Int32)
        case timedOut(Duration)
        case launchFailed(String)
    }

    public var command: Command
    public var reason: Reason
    public var output: CommandOutput?

    public init(command: Command, reason: Reason, output: CommandOutput? = nil) {
        self.command = command
        self.reason = reason
        self.output = output
    }

    /// Standard error and standard output together, trimmed, for matching and display.
    public var combinedOutput: String {
        guard let output else { return "" }
        return [output.standardError, output.standardOutput]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }

    public var description: String {
        let what: String
        switch reason {
        case .notFound:
            what = "`\(command.executable)` was not found on PATH"
        case .exited(let status):
            what = "exited with status \(status)"
        case .timedOut(let limit):
            what = "timed out after \(limit)"
        case .launchFailed(let message):
            what = "could not be started: \(message)"
        }
        var text = "command failed: \(command)\n  \(what)"
        let combined = combinedOutput
        if !combined.isEmpty {
            let lines = combined.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = lines.suffix(20).map { "  | \($0)" }.joined(separator: "\n")
            text += "\n  output:\n\(shown)"
        }
        return text
    }
}

/// Runs external programs. The only way `provision` starts a subprocess.
public protocol CommandRunner: Sendable {
    /// Runs `command` to completion and returns its output whatever the exit status.
    /// Throws ``CommandError`` only when the program cannot be started or times out.
    func execute(_ command: Command) async throws -> CommandOutput
}

extension CommandRunner {
    /// Runs `command` and throws ``CommandError`` unless it exits with status 0.
    @discardableResult
    public func run(_ command: Command) async throws -> CommandOutput {
        try await run(command, notFound: { $0 })
    }

    /// Convenience for the common case.
    @discardableResult
    public func run(_ executable: String, _ arguments: String..., timeout: Duration? = nil) async throws -> CommandOutput {
        try await run(Command(executable, arguments, timeout: timeout))
    }

    /// ``execute(_:)``, with a program not found on PATH reported as `notFound` makes it
    /// (a provider's "kind is not installed", with the way to install it).
    public func execute(_ command: Command, notFound: (CommandError) -> any Error) async throws -> CommandOutput {
        do {
            return try await execute(command)
        } catch let error as CommandError where error.reason == .notFound {
            throw notFound(error)
        }
    }

    /// ``run(_:)``, with a program not found on PATH reported as `notFound` makes it.
    @discardableResult
    public func run(_ command: Command, notFound: (CommandError) -> any Error) async throws -> CommandOutput {
        let output = try await execute(command, notFound: notFound)
        guard output.exitStatus == 0 else {
            throw CommandError(command: command, reason: .exited(output.exitStatus), output: output)
        }
        return output
    }
}
