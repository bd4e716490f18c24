import ArgumentParser
import Backends
import Components
import Foundation
import ProcessRunning
import ProvisionCore
import RunHistory

/// Everything a command reaches outside itself, injected (as swiftly's commands run against
/// an injected core context; here "context" means only a kubeconfig context): the command runner, the environment, the working directory, the console,
/// the component catalog, the backends `--backend` may name, and how the store is opened.
/// `provision` runs commands against ``live``; tests run them in process against their own.
struct Runtime: Sendable {
    var runner: any CommandRunner
    var environment: [String: String]
    var workingDirectory: URL
    var console: Console
    var catalog: [any Component]
    /// The backends `--backend` may name (tests add their own).
    var backends: [Backend]
    var openStore: @Sendable (URL) throws -> StateStore
    /// The command line as recorded in the history: `provision up --only redis`.
    var commandLine: [String]
    /// Waits between retries (smoke checks, refused applies); tests pass one that returns at once.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    static var live: Runtime {
        Runtime(
            runner: SubprocessCommandRunner(),
            environment: ProcessInfo.processInfo.environment,
            workingDirectory: URL(filePath: FileManager.default.currentDirectoryPath, directoryHint: .isDirectory),
            console: .standard,
            catalog: StackCatalog.all,
            backends: BackendRegistry.all,
            openStore: { try StateStore(url: $0) },
            commandLine: ["provision"] + CommandLine.arguments.dropFirst())
    }
}

/// A command whose work runs against an injected ``Runtime``; `provision` runs it
/// against the live one.
protocol RuntimeCommand: AsyncParsableCommand {
    func run(in runtime: Runtime) async throws
}

extension RuntimeCommand {
    func run() async throws { try await run(in: .live) }
}
