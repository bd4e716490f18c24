import ArgumentParser

/// The exit codes of `provision`, one per kind of outcome a script may want to tell apart.
/// Listed in `provision --help`; the end-to-end tests check each one.
enum ProvisionExit {
    /// Everything asked for was done.
    static let success = ExitCode(0)
    /// A step of the run failed (apply, readiness, smoke check, cluster create or delete).
    static let failed = ExitCode(1)
    /// Bad command line or input: unknown flag or value, missing `k8s/` directory.
    static let usage = ExitCode(2)
    /// A prerequisite is missing (tool, Docker daemon, free port) or the backend is not implemented.
    static let preflight = ExitCode(3)
    /// Another `provision` process is working on the same cluster.
    static let locked = ExitCode(4)
    /// The state store (history database) cannot be opened or read.
    static let stateStore = ExitCode(5)
    /// Stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it.
    static let interrupted = ExitCode(130)
    /// Stopped by SIGTERM: 128 + 15.
    static let terminated = ExitCode(143)

    /// The table shown in `provision --help`.
    static let helpTable = """
        EXIT CODES:
          0    success
          1    a step failed (cluster create/delete, apply, readiness, smoke check)
          2    usage error: bad flag or value, no k8s/ directory found
          3    preflight failed: missing tool, Docker not running, port taken,
               or the backend is not implemented yet (gke, eks, aks)
          4    another provision run holds the cluster (see `provision history`)
          5    the state store (history database) cannot be opened or read
          130  interrupted by SIGINT (Ctrl-C); 143 terminated by SIGTERM
        """
}

/// An error `provision` reports itself: the problem, the fix, and the exit code.
/// Printed to standard error as "error: <problem>\n  fix: <fix>".
struct ProvisionFailure: Error, CustomStringConvertible {
    var problem: String
    var fix: String?
    /// Extra detail printed after the fix (e.g. the failing command and its output).
    var detail: String?
    var exitCode: ExitCode

    init(_ problem: String, fix: String? = nil, detail: String? = nil, exitCode: ExitCode = ProvisionExit.failed) {
        self.problem = problem
        self.fix = fix
        self.detail = detail
        self.exitCode = exitCode
    }

    var description: String {
        var text = "error: \(problem)"
        if let fix { text += "\n  fix: \(fix)" }
        if let detail, !detail.isEmpty { text += "\n\(detail)" }
        return text
    }
}
