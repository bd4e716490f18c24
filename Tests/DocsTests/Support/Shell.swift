import Foundation
import TestSupport

/// Runs programs for the documentation tests through TestSupport's `ChildProcess`
/// (posix_spawn and waitpid: Foundation's Process can hang the shared test binary).
enum Shell {
    struct Outcome: CustomStringConvertible {
        var status: Int32
        var output: String
        var error: String
        var description: String { "exit \(status)\nstdout:\n\(output)\nstderr:\n\(error)" }
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments` in `directory`;
    /// a program still running after `limit` seconds is killed and reported.
    static func run(
        _ executable: String, _ arguments: [String], in directory: URL = Repository.root,
        environment: [String: String] = [:], limit: TimeInterval = 300
    ) throws -> Outcome {
        let result = try ChildProcess.runBlocking(
            [executable] + arguments, environment: ChildProcess.environment(adding: environment),
            workingDirectory: directory, limit: limit)
        return Outcome(status: result.exitCode, output: result.standardOutput, error: result.standardError)
    }
}
