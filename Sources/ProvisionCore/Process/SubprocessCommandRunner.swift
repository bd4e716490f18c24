import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Standard input for a child that may exit before it reads it: a cluster CLI stops at a context
/// its kubeconfig lacks before reading the manifest on its standard input. Writing to that
/// closed pipe fails with EPIPE (`provision` ignores SIGPIPE, see its entry point); that failure
/// is not the story: the child's own exit status and messages are, so the write error is
/// dropped and the run's result reports the child's failure.
struct ClosedPipeTolerantInput: InputProtocol {
    let data: Data

    func write(with writer: StandardInputWriter) async throws {
        do {
            _ = try await writer.write(data)
        } catch let error as SubprocessError where error.code == .failedToWriteToSubprocess {
            // The child closed its standard input (EPIPE): it exited or stopped reading.
        }
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
            input: ClosedPipeTolerantInput(data: command.standardInput ?? Data()),
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
