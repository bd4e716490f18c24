import ArgumentParser
import Backends
import Foundation
import ProvisionCore

/// `provision down`: delete the cluster, confirm it is gone, optionally purge the data.
struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete the cluster and confirm it is gone; keep the data unless asked to purge it.",
        discussion: """
            Deletes the cluster (kind: `kind delete cluster`), then checks that the backend no \
            longer lists it. The host directory that keeps volume data across cluster recreation \
            (the kind config's extraMounts) stays, so the next `provision up` finds PostgreSQL and \
            Redis data again. --purge-data deletes that directory too, after a confirmation \
            (--yes answers it; without a terminal and without --yes provision refuses). The \
            generated secrets stay in the state directory either way: they belong to that data. \
            The run is recorded in the history.

            EXAMPLES:
              provision down
              provision down --purge-data          asks before deleting the data directory
              provision down --purge-data --yes    for scripts
            """)

    @OptionGroup var target: TargetOptions

    @Flag(help: "Also delete the host directory that keeps volume data across cluster recreation.")
    var purgeData = false

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation before purging data.")
    var yes = false

    @OptionGroup var state: StateOptions

    func run() async throws {
        let context = try ClusterContext(target: target, state: state)
        let dataDirectory = purgeData ? try dataDirectoryToPurge(context) : nil
        if let dataDirectory { try confirmPurge(dataDirectory) }

        let store = try StoreAccess.open(state)
        let printer = ProgressPrinter()
        let deployer = Deployer(backend: context.backend, store: store, progress: printer.handle)
        let invocation = await context.invocation()
        let signals = SignalCancellation()
        let report: RunReport
        do {
            report = try await signals.run { try await deployer.down(cluster: context.spec, invocation: invocation) }
        } catch is CancellationError {
            throw Interruption.failure(signals: signals, command: "down")
        } catch {
            throw StoreAccess.failure(for: error)
        }
        // A signal that arrived as the run ended still decides the exit code.
        if signals.signal != nil, !report.succeeded {
            throw Interruption.failure(signals: signals, command: "down")
        }
        guard report.succeeded else {
            let notImplemented = context.backend is UnimplementedCloudBackend
            var failure = ErrorText.failure(
                report.error ?? DeployError(problem: "deleting the cluster failed", fix: "see provision history"),
                exitCode: notImplemented ? ProvisionExit.preflight : ProvisionExit.failed)
            failure.detail = [failure.detail, "The run is recorded: provision history \(report.runID.rawValue)"]
                .compactMap { $0 }.joined(separator: "\n")
            throw failure
        }
        let note = report.steps.first { $0.action == .deleteCluster }?.note ?? "deleted cluster"
        Console.out("")
        Console.out(note.prefix(1).uppercased() + note.dropFirst() + ".")

        if let dataDirectory {
            try purge(dataDirectory, run: report.runID, store: store)
        } else if let kept = try? keptDataDirectory(context) {
            Console.out("Kept the data directory \(kept.path) (delete it with `provision down --purge-data`).")
        }
        Console.out("History of this run: provision history \(report.runID.rawValue)")
    }

    /// The kind data directory, or a clear refusal for backends without one.
    private func dataDirectoryToPurge(_ context: ClusterContext) throws -> URL? {
        guard let kind = context.backend as? KindBackend else {
            throw ProvisionFailure(
                "--purge-data is only supported by the kind backend (it keeps volume data in a host directory)",
                fix: "run `provision down` without --purge-data", exitCode: ProvisionExit.usage)
        }
        do {
            guard let directory = try kind.dataDirectory(for: context.spec) else {
                Console.out("The kind config has no data mount: there is no data directory to purge.")
                return nil
            }
            return directory
        } catch let error as BackendError {
            throw ProvisionFailure(error.problem, fix: error.fix, exitCode: ProvisionExit.usage)
        }
    }

    private func keptDataDirectory(_ context: ClusterContext) throws -> URL? {
        guard let kind = context.backend as? KindBackend,
            let directory = try kind.dataDirectory(for: context.spec),
            FileManager.default.fileExists(atPath: directory.path)
        else { return nil }
        return directory
    }

    /// Asks before anything is deleted, so a "no" leaves the cluster running too.
    private func confirmPurge(_ directory: URL) throws {
        if yes { return }
        guard Console.standardInputIsTerminal else {
            throw ProvisionFailure(
                "--purge-data would delete \(directory.path) (all PostgreSQL and Redis data) and there is "
                    + "no terminal to confirm it",
                fix: "add --yes to confirm, or run without --purge-data to keep the data",
                exitCode: ProvisionExit.usage)
        }
        let question = "Delete the cluster and all volume data in \(directory.path)? This cannot be undone."
        guard Console.confirm(question) else {
            throw ProvisionFailure(
                "nothing was deleted (not confirmed)",
                fix: "run `provision down` to delete the cluster and keep the data", exitCode: ProvisionExit.usage)
        }
    }

    /// Deletes the data directory and records it as a step of the run.
    private func purge(_ directory: URL, run: RunID, store: StateStore) throws {
        let step = try StoreAccess.perform {
            try store.addStep(run: run, component: nil, action: StepAction("purge-data"), state: .running)
        }
        let manager = FileManager.default
        guard manager.fileExists(atPath: directory.path) else {
            try StoreAccess.perform { try store.markStep(step, .succeeded, note: "\(directory.path) did not exist") }
            Console.out("No data directory at \(directory.path): nothing to purge.")
            return
        }
        do {
            try manager.removeItem(at: directory)
        } catch {
            let problem = "cannot delete the data directory \(directory.path): \(error.localizedDescription)"
            let fix = "files written by the database containers may belong to another user: "
                + "`sudo rm -rf \(directory.path)`"
            try StoreAccess.perform {
                try store.markStep(step, .failed, error: "\(problem)\n  fix: \(fix)")
                try store.finishRun(run, outcome: .failed, error: problem)
            }
            throw ProvisionFailure(problem, fix: fix, exitCode: ProvisionExit.failed)
        }
        try StoreAccess.perform { try store.markStep(step, .succeeded, note: "deleted \(directory.path)") }
        Console.out("Deleted the data directory \(directory.path).")
    }
}
