import ArgumentParser
import ProvisionCore

/// The exit codes of `provision`, one per kind of outcome a script may want to tell apart,
/// and the one place that maps each kind of ``Problem`` to its code.
/// Listed in `provision --help`; the tests check each one.
enum ProvisionExit {
    /// Everything asked for was done.
    static let success = ExitCode(0)
    /// Stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it.
    static let interrupted = ExitCode(130)
    /// Stopped by SIGTERM: 128 + 15.
    static let terminated = ExitCode(143)

    static func code(for kind: Problem.Kind) -> ExitCode {
        switch kind {
        case .stepFailed: ExitCode(1)
        case .usage: ExitCode(2)
        case .preflight, .notImplemented: ExitCode(3)
        case .clusterBusy: ExitCode(4)
        case .stateStore: ExitCode(5)
        case .interrupted: interrupted
        case .terminated: terminated
        }
    }

    /// The table shown in `provision --help`.
    static let helpTable = """
        EXIT CODES:
          0    success
          1    a step failed (cluster create/delete, apply, readiness, smoke check)
          2    usage error: bad flag or value, no k8s/ directory found
          3    preflight failed: missing tool, Docker not running, port taken, kind
               too old, the cluster's node stopped or made without the kind config,
               or the backend is not implemented yet (gke, eks, aks); every
               blocking problem is listed at once
          4    another provision run holds the cluster (see `provision history`)
          5    the state store (history database) cannot be opened or read, or the
               state directory is a file or cannot be created
          130  interrupted by SIGINT (Ctrl-C); 143 terminated by SIGTERM
        """
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
