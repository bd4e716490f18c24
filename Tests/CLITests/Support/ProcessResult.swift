import Foundation

/// What a finished `provision` process left behind.
struct ProcessResult: CustomStringConvertible {
    var exitCode: Int32
    var standardOutput: String
    var standardError: String

    var description: String {
        "exit \(exitCode)\n--- stdout ---\n\(standardOutput)\n--- stderr ---\n\(standardError)"
    }
}

/// A child process whose output is collected on background threads (so a chatty child
/// never blocks on a full pipe), with a hard time limit so a hung test fails instead of hanging.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let group = DispatchGroup()
    private var outData = Data()
    private var errData = Data()

    init(executable: URL, arguments: [String], environment: [String: String], directory: URL, input: Data? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardOutput = stdout
        process.standardError = stderr
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            try pipe.fileHandleForWriting.write(contentsOf: input)
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        group.enter()
        DispatchQueue.global().async { [self] in
            outData = stdout.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async { [self] in
            errData = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the process; kills it after `limit` seconds so the test fails with output.
    func wait(limit: TimeInterval = 60) -> ProcessResult {
        let deadline = Date().addingTimeInterval(limit)
        var killed = false
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                killed = true
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        group.wait()
        var error = String(decoding: errData, as: UTF8.self)
        if killed { error += "\n[test harness: killed after \(Int(limit)) s]" }
        return ProcessResult(
            exitCode: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: error)
    }
}
