import ArgumentParser
import Backends
import Components
import Foundation
import ProcessRunning
import ProvisionCore
import RunHistory
import Synchronization
import Testing
import TestSupport
@testable import ProvisionCLI

/// Runs `provision` commands in this process against an injected ``Runtime``: the
/// world's fake tools (through the real command runner with the world's environment), its
/// repository as working directory, a console that records, and any catalog.
struct InProcess {
    let world: FakeWorld
    var catalog: [any Component] = StackCatalog.all
    /// The backends `--backend` may name: the registry's, or a test's own besides.
    var backends: [Backend] = BackendRegistry.all

    struct Outcome: CustomStringConvertible {
        var exitCode: Int32
        var standardOutput: String
        var standardError: String
        var description: String { "exit \(exitCode)\nstdout:\n\(standardOutput)\nstderr:\n\(standardError)" }
    }

    /// Parses `arguments` as `provision` does and runs the command; a ``Problem`` becomes
    /// the exit code its kind maps to, and an `ExitCode` thrown is the exit code, as
    /// `provision`'s entry point does.
    func run(_ arguments: String...) async throws -> Outcome {
        try await run(arguments)
    }

    /// - Parameter extra: environment variables for this run only (fake switches).
    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Outcome {
        // As `provision`'s entry point does: a fake that exits before reading its standard
        // input makes the write fail with EPIPE instead of killing the test process.
        ignoreBrokenPipes()
        let out = Mutex(""), err = Mutex("")
        let environment = world.environment.merging(extra) { _, new in new }
        let runtime = Runtime(
            runner: EnvironmentRunner(environment: environment),
            environment: environment,
            workingDirectory: world.repository,
            console: Console(
                writeOut: { text in out.withLock { $0 += text } },
                writeError: { text in err.withLock { $0 += text } },
                standardInputIsTerminal: false, readAnswer: { nil }),
            catalog: catalog,
            backends: backends,
            openStore: { try StateStore(url: $0) },
            commandLine: ["provision"] + arguments,
            // Retries are counted in calls, not waited out: a smoke check that never passes
            // costs its attempts' calls, not 5 × 3 s.
            sleep: { _ in await Task.yield() })
        let parsed = try Provision.parseAsRoot(arguments)
        let command = try #require(parsed as? any RuntimeCommand, "\(arguments) is not a command that runs against a Runtime")
        var exitCode: Int32 = 0
        do {
            try await command.run(in: runtime)
        } catch let problem as Problem {
            runtime.console.error(problem.report)
            exitCode = ProvisionExit.code(for: problem.kind).rawValue
        } catch let failure as RecordedFailure {
            runtime.console.error(failure.report)
            exitCode = ProvisionExit.code(for: failure.problem.kind).rawValue
        } catch let code as ExitCode {
            exitCode = code.rawValue
        }
        // A call the real tool would refuse fails the test, whatever provision made of it.
        try world.checkRefusedCalls()
        return Outcome(exitCode: exitCode, standardOutput: out.withLock { $0 }, standardError: err.withLock { $0 })
    }
}

/// The real command runner, with an environment of the test's own (PATH to the fakes and
/// their switches) layered under each command's.
struct EnvironmentRunner: CommandRunner {
    let environment: [String: String]
    let base = SubprocessCommandRunner()

    func execute(_ command: Command) async throws -> CommandOutput {
        var command = command
        command.environment = environment.merging(command.environment) { _, own in own }
        return try await base.execute(command)
    }
}

extension FakeWorld {
    /// `provision ARGUMENTS` run in this process against the world (see ``InProcess``).
    func run(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> InProcess.Outcome {
        try await InProcess(world: self).run(arguments, environment: extra)
    }
}
