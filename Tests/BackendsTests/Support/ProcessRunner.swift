import Foundation
import ProvisionCore

/// Runs real programs for the tests that need real output (`kubectl kustomize`, `sha256sum`).
/// Test-only: the product's runner is ProvisionCore's.
struct ProcessRunner: CommandRunner {
    func execute(_ command: Command) async throws -> CommandOutput {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = [command.executable] + command.arguments
        if let directory = command.workingDirectory { process.currentDirectoryURL = URL(filePath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(command.environment) { $1 }
        process.environment = environment
        let outFile = FileManager.default.temporaryDirectory.appending(path: "out-\(UUID().uuidString)")
        let errFile = FileManager.default.temporaryDirectory.appending(path: "err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let data = command.standardInput { input.fileHandleForWriting.write(data) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let stdout = try String(contentsOf: outFile, encoding: .utf8)
        let stderr = try String(contentsOf: errFile, encoding: .utf8)
        if process.terminationStatus == 127 && stderr.contains("No such file") {
            throw CommandError(command: command, reason: .notFound)
        }
        return CommandOutput(exitStatus: process.terminationStatus, standardOutput: stdout, standardError: stderr)
    }
}
