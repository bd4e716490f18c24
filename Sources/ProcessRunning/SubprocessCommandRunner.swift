import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Standard input as a file, never a pipe: a child that exits before it reads its standard
/// input (a cluster CLI stops at a context its kubeconfig lacks before it reads the manifest)
/// then leaves the file unread, and nothing is written to a closed pipe. Its own exit status
/// and messages are what the run reports. The file is unlinked before anything is written to
/// it (secrets travel this way) and lives in memory where the system offers a tmpfs
/// (`/dev/shm`); `nil` gives `/dev/null`.
enum StandardInputFile {
    static func open(_ data: Data?) throws -> FileDescriptor {
        guard let data, !data.isEmpty else {
            return try FileDescriptor.open("/dev/null", .readOnly, options: [.closeOnExec])
        }
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array((directory + "/provision-stdin-XXXXXX").utf8CString)
        let raw = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard raw >= 0 else { throw Errno(rawValue: errno) }
        let descriptor = FileDescriptor(rawValue: raw)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        do {
            _ = try descriptor.writeAll(data)
            _ = try descriptor.seek(offset: 0, from: .start)
        } catch {
            try? descriptor.close()
            throw error
        }
        return descriptor
    }
}

/// The real ``CommandRunner``, built on swift-subprocess.
///
/// Names without a slash are looked up on `PATH` (the command's own `PATH` if it
/// sets one, else this process's). Each program runs in its own process group,
/// so when the calling task is cancelled or the command's timeout passes, the
/// program and anything it started get SIGTERM, then SIGKILL after a grace period.
public struct SubprocessCommandRunner: CommandRunner {
    /// Most bytes collected from each of standard output and standard error.
    public var outputLimit: Int
    /// Time between SIGTERM and SIGKILL when a program must be stopped.
    public var terminationGracePeriod: Duration

    public init(outputLimit: Int = 64 * 1024 * 1024, terminationGracePeriod: Duration = .seconds(3)) {
        self.outputLimit = outputLimit
        self.terminationGracePeriod = terminationGracePeriod
    }

    public func execute(_ command: Command) async throws -> CommandOutput {
        do {
            if let timeout = command.timeout {
                return try await withTimeout(timeout) { try await launch(command) }
            }
            return try await launch(command)
        } catch is TimeoutError {
            throw CommandError(command: command, reason: .timedOut(command.timeout ?? .zero))
        } catch let error as Errno {
            throw CommandError(command: command, reason: .launchFailed("cannot prepare its standard input: \(error)"))
        } catch let error as SubprocessError {
            if Task.isCancelled { throw CancellationError() }
            if error.code == .executableNotFound {
                throw CommandError(command: command, reason: .notFound)
            }
            if error.code == .outputLimitExceeded {
                throw CommandError(
                    command: command, reason: .launchFailed("its output exceeded \(outputLimit) bytes"))
            }
            throw CommandError(command: command, reason: .launchFailed(String(describing: error)))
        }
    }

    private func launch(_ command: Command) async throws -> CommandOutput {
        let executable: Executable =
            command.executable.contains("/") ? .path(FilePath(command.executable)) : .name(command.executable)
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in command.environment {
            if let key = Environment.Key(rawValue: key) { overrides[key] = value }
        }
        var platformOptions = PlatformOptions()
        // Own process group: a stop reaches the program's children too.
        platformOptions.processGroupID = 0
        platformOptions.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminationGracePeriod)
        ]

        let result = try await Subprocess.run(
            executable,
            arguments: Arguments(command.arguments),
            environment: .inherit.updating(overrides),
            workingDirectory: command.workingDirectory.map { FilePath($0) },
            platformOptions: platformOptions,
            input: .fileDescriptor(try StandardInputFile.open(command.standardInput), closeAfterSpawningProcess: true),
            output: .data(limit: outputLimit),
            error: .data(limit: outputLimit))
        try Task.checkCancellation()

        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): Int32(code)
            // Shell convention, so a signal death is never mistaken for success.
            case .signaled(let signal): 128 + Int32(signal)
            }
        return CommandOutput(
            exitStatus: status,
            standardOutput: String(decoding: result.standardOutput, as: UTF8.self),
            standardError: String(decoding: result.standardError, as: UTF8.self))
    }
}
