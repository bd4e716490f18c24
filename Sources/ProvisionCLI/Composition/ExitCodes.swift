import Backends
import ArgumentParser
import ProvisionCore

/// The exit codes of `provision`, one per kind of outcome a script may want to tell apart,
/// and the one place that maps each kind of ``Problem`` to its code. ``meanings`` is the one
/// list of what each code means: `provision --help` prints it and README.md's table is
/// generated from it.
enum ProvisionExit {
    /// Everything asked for was done.
    static let success = ExitCode(0)
    static let stepFailed = ExitCode(1)
    static let usage = ExitCode(2)
    static let preflight = ExitCode(3)
    static let clusterBusy = ExitCode(4)
    static let stateStore = ExitCode(5)
    /// `status --exit-code`: the cluster differs from `k8s/` or is not ready. Not a failure
    /// but a difference, as `git diff --exit-code` (1) and `terraform plan -detailed-exitcode`
    /// (2) tell it from their errors; both of their codes mean something else here.
    static let drifted = ExitCode(6)
    /// Stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it.
    static let interrupted = ExitCode(130)
    /// Stopped by SIGTERM: 128 + 15.
    static let terminated = ExitCode(143)

    static func code(for kind: Problem.Kind) -> ExitCode {
        switch kind {
        case .stepFailed: stepFailed
        case .usage: usage
        case .preflight, .notImplemented: preflight
        case .clusterBusy: clusterBusy
        case .stateStore: stateStore
        case .interrupted: interrupted
        case .terminated: terminated
        }
    }

    /// Every code and what it means, in order.
    static let meanings: [(code: ExitCode, meaning: String)] = [
        (success, "success"),
        (stepFailed, "a step failed: cluster create or delete, apply, readiness, smoke check"),
        (usage, "usage error: bad flag or value, no `k8s/` directory found"),
        (preflight, "preflight failed: missing tool, Docker not running, port taken, kind older than the "
            + "minimum, the cluster's node stopped or the cluster made without the kind config, or a "
            + "backend not implemented yet (" + CloudProvider.all.map(\.name).joined(separator: ", ")
            + "); every blocking problem is listed at once"),
        (clusterBusy, "another `provision` run holds the cluster (see `provision history`)"),
        (stateStore, "the state store (history database) cannot be opened or read, or the state "
            + "directory is a file or cannot be created"),
        (drifted, "`status --exit-code` only: the cluster differs from `k8s/` (an object changed by hand or "
            + "missing), each one listed. A component that is not ready, or a cluster that does not exist, stays 1"),
        (interrupted, "interrupted by SIGINT (Ctrl-C)"),
        (terminated, "terminated by SIGTERM"),
    ]

    /// The table shown in `provision --help`.
    static var helpTable: String {
        (["EXIT CODES:"] + meanings.flatMap { code, meaning in
            HelpText.wrapped(meaning.replacingOccurrences(of: "`", with: ""),
                             first: "  " + "\(code.rawValue)".padding(toLength: 5, withPad: " ", startingAt: 0))
        }).joined(separator: "\n")
    }
}

extension Problem {
    /// "error: <problem>\n  fix: <fix>\n<cause>", as `provision` prints a failure.
    var report: String { "error: \(description)" }
}

/// A run that failed after it was recorded: its problem, and where the record is.
struct RecordedFailure: Error {
    var problem: Problem
    var run: RunID
    var report: String { problem.report + "\nThe run is recorded: provision history \(run.rawValue)" }
}
