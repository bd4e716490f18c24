import Foundation
import Testing

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
}

/// A program run to completion by the real-cluster tests, with a time limit.
struct Shell {
    struct Result: CustomStringConvertible {
        var exitCode: Int32
        var standardOutput: String
        var standardError: String
        var trimmedOutput: String { standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) }
        var description: String {
            "exit \(exitCode)\n--- stdout ---\n\(standardOutput)\n--- stderr ---\n\(standardError)"
        }
    }

    var environment: [String: String] = ProcessInfo.processInfo.environment
    var directory: URL = URL(filePath: FileManager.default.currentDirectoryPath)

    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments.
    func run(_ arguments: [String], input: Data? = nil, limit: TimeInterval = 600) async throws -> Result {
        let process = try RunningProcess(
            executable: URL(filePath: "/usr/bin/env"), arguments: arguments, environment: environment,
            directory: directory, input: input)
        let result = await process.wait(limit: limit)
        return Result(
            exitCode: result.exitCode, standardOutput: result.standardOutput, standardError: result.standardError)
    }

    /// Runs and requires exit status 0.
    @discardableResult
    func succeed(_ arguments: [String], input: Data? = nil, limit: TimeInterval = 600,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
        let result = try await run(arguments, input: input, limit: limit)
        try #require(result.exitCode == 0, "\(arguments.joined(separator: " ")) failed: \(result)",
                     sourceLocation: sourceLocation)
        return result
    }

    @discardableResult
    func kubectl(_ arguments: String..., input: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> Result
    {
        try await succeed(["kubectl", "--context", RealCluster.context] + arguments, input: input,
                    sourceLocation: sourceLocation)
    }
}

/// The built `provision` executable (next to the test bundle; PROVISION_BINARY overrides).
enum ProvisionExecutable {
    static let repositoryRoot = URL(filePath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func locate() -> URL? {
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["PROVISION_BINARY"], !explicit.isEmpty {
            candidates.append(URL(filePath: explicit))
        }
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        if let first = CommandLine.arguments.first { starts.append(URL(filePath: first).standardizedFileURL) }
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(directory.appending(path: "provision"))
                directory = directory.deletingLastPathComponent()
            }
        }
        candidates.append(repositoryRoot.appending(path: ".build/debug/provision"))
        return candidates.first {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDirectory)
                && !isDirectory.boolValue && FileManager.default.isExecutableFile(atPath: $0.path)
        }
    }
}
