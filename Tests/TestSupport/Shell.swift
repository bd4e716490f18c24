import Foundation

/// Runs programs to completion through `ChildProcess`
/// (posix_spawn and waitpid: Foundation's Process can hang the shared test binary).
public enum Shell {
    public struct Outcome: Sendable, CustomStringConvertible {
        public var status: Int32
        public var output: String
        public var error: String
        public var description: String { "exit \(status)\nstdout:\n\(output)\nstderr:\n\(error)" }
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments` in `directory`;
    /// a program still running after `limit` seconds is killed and reported.
    ///
    /// Async, so the wait never holds one of the test process's few cooperative threads (as
    /// many as cores): tests that ran dozens of programs back to back that way starved every
    /// other test's waits for tens of seconds on a loaded 2-core machine (issue 15).
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL = Repository.root,
        environment: [String: String] = [:], limit: TimeInterval = 300
    ) async throws -> Outcome {
        let result = try await ChildProcess.run(
            [executable] + arguments, environment: ChildProcess.environment(adding: environment),
            workingDirectory: directory, limit: limit)
        return Outcome(status: result.exitCode, output: result.standardOutput, error: result.standardError)
    }
}
