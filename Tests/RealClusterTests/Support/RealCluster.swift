import Foundation
import Testing
import TestSupport

/// The real-cluster suite runs only where Docker, kind, kubectl and an image registry are
/// available (GitHub Actions: .github/workflows/real-cluster.yml). Everywhere else each test
/// is disabled with this reason, visible in the test output.
enum RealCluster {
    static let switchVariable = "PROVISION_REAL_CLUSTER"

    static var isEnabled: Bool {
        ProcessInfo.processInfo.environment[switchVariable] == "1"
    }

    static let disabledReason: Comment =
        "real kind cluster tests are off: set PROVISION_REAL_CLUSTER=1 on a machine with Docker, kind, kubectl and registry access (CI: .github/workflows/real-cluster.yml)"

    static let clusterName = "wrightnow"
    static let context = "kind-wrightnow"

    /// The two figures issue 18 asks for, printed and, on GitHub Actions, added to the job
    /// summary (`GITHUB_STEP_SUMMARY`), from which the README takes them once measured.
    static func writeSummary(coldUp: Duration, warmDownUp: Duration) throws {
        func seconds(_ duration: Duration) -> String { "\(duration.components.seconds) s" }
        let table = """
            ### provision up on kind: image caches

            | run | wall time |
            |---|---|
            | cold `up` (setup + deploy, no caches on the runner) | \(seconds(coldUp)) |
            | `down` + `up` with warm caches (teardown + setup + deploy) | \(seconds(warmDownUp)) |

            """
        print(table)
        guard let path = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return }
        let handle = try FileHandle(forWritingTo: URL(filePath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(table.utf8))
    }
}

/// A program run to completion by the real-cluster tests, with a time limit.
struct Shell {
    var environment: [String: String] = ProcessInfo.processInfo.environment
    var directory: URL = URL(filePath: FileManager.default.currentDirectoryPath)

    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments.
    func run(_ arguments: [String], input: Data? = nil, limit: TimeInterval = 600) async throws -> ProcessResult {
        try await ChildProcess.run(
            arguments, environment: environment, workingDirectory: directory, input: input, limit: limit)
    }

    /// Runs and requires exit status 0.
    @discardableResult
    func succeed(_ arguments: [String], input: Data? = nil, limit: TimeInterval = 600,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProcessResult {
        let result = try await run(arguments, input: input, limit: limit)
        try #require(result.exitCode == 0, "\(arguments.joined(separator: " ")) failed: \(result)",
                     sourceLocation: sourceLocation)
        return result
    }

    @discardableResult
    func kubectl(_ arguments: String..., input: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> ProcessResult
    {
        try await succeed(["kubectl", "--context", RealCluster.context] + arguments, input: input,
                    sourceLocation: sourceLocation)
    }
}
