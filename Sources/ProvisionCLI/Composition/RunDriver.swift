import Foundation
import ProvisionCore
import RunHistory

/// Carries out one recorded run (`up` or `down`) on a target cluster, the same way for both:
/// the deployer on the cluster's provider and deployment layer, progress on the console, and
/// SIGINT/SIGTERM as cancellation, so running steps are recorded as interrupted before the
/// command exits with 130 or 143.
struct RunDriver {
    /// `up` or `down`, for the interruption's message.
    let command: String
    let cluster: TargetCluster
    let store: StateStore
    let options: DeployOptions

    /// Runs `work` with the deployer and this run's invocation; returns the recorded report.
    /// - Throws: the interruption when a signal stopped the run, else any failure that kept the
    ///   run from being recorded, as a ``Problem``.
    func run(_ work: @escaping @Sendable (Deployer, RunInvocation) async throws -> RunReport) async throws -> RunReport {
        let console = cluster.runtime.console
        let printer = ProgressPrinter(console: console, environment: cluster.runtime.environment)
        let deployer = Deployer(
            provider: cluster.provider, deployment: cluster.deployment, store: store, options: options,
            progress: printer.handle)
        let invocation = await cluster.invocation()
        let signals = SignalCancellation(console: console)
        let report: RunReport
        do {
            report = try await signals.run { try await work(deployer, invocation) }
        } catch is CancellationError {
            printer.finish()
            throw signals.interruption(command: command)
        } catch {
            printer.finish()
            throw Problem(error)
        }
        printer.finish()
        // A signal that arrived as the run ended still decides the exit code.
        if signals.signal != nil, !report.succeeded {
            throw signals.interruption(command: command)
        }
        return report
    }
}
