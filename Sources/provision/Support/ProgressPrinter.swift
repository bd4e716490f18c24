import Foundation
import ProvisionCore
import Synchronization

/// Turns the deployer's progress events into lines a person can follow while a run
/// takes minutes: one line when a step starts, one when it ends (with its duration),
/// and a "still waiting" line every notice interval while a step runs.
final class ProgressPrinter: Sendable {
    private let started = ContinuousClock.now
    private let console: Console

    init(console: Console) {
        self.console = console
    }

    /// Prints `event`; called by the deployer, possibly from several tasks.
    func handle(_ event: ProgressEvent) {
        switch event {
        case .recoveredAbandonedRun(let run):
            console.error(
                "note: run \(run.id) (pid \(run.pid)) ended without finishing; it is now recorded as interrupted")
        case .runStarted(let run, let backend, let cluster):
            line("run \(run) started: backend \(backend), cluster \(cluster)")
        case .stepStarted(let label):
            line("start    \(label)")
        case .stepFinished(let label, let state, let duration, let detail):
            let took = duration.map { " (\(Format.duration($0)))" } ?? ""
            let word = Self.word(for: state)
            var text = "\(word.padding(toLength: 8, withPad: " ", startingAt: 0)) \(label)\(took)"
            if let detail, !detail.isEmpty {
                text += ": " + Format.summary(detail, limit: 100)
            }
            line(text)
        case .warning(let warning):
            console.error("warning: \(warning.problem)\n  fix: \(warning.fix)")
        case .stillRunning(let label, let elapsed):
            line("still waiting for \(label) (\(Int(elapsed.components.seconds))s)")
        case .runFinished(let run, let outcome):
            line("run \(run) \(outcome)")
        }
    }

    private func line(_ text: String) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        console.out(String(format: "[%6.1fs] ", seconds) + text)
    }

    private static func word(for state: StepState) -> String {
        switch state {
        case .succeeded: "done"
        case .failed: "FAILED"
        case .skipped: "skipped"
        case .interrupted: "stopped"
        case .pending: "pending"
        case .running: "running"
        }
    }
}
