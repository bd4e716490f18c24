import ProcessRunning
/// The one error type `provision` reports: what went wrong, how to fix it, and the
/// failure underneath (a command line with its exit status and output, a database error).
///
/// Every layer throws it, so the CLI never parses error text; ``Kind`` decides the exit code
/// in one place (the CLI's exit-code map).
public struct Problem: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; scripts tell them apart by exit code.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A step of the run failed: cluster create or delete, apply, readiness, smoke check.
        case stepFailed
        /// Bad command line or input: unknown flag or value, missing `k8s/` directory, unknown run.
        case usage
        /// A prerequisite is missing: a tool, a daemon, a free port.
        case preflight
        /// The chosen backend exists only as a stub.
        case notImplemented
        /// Another `provision` process holds the cluster.
        case clusterBusy
        /// The state store cannot be opened, read or written.
        case stateStore
        /// Stopped by SIGINT (Ctrl-C); running steps were recorded as interrupted.
        case interrupted
        /// Stopped by SIGTERM; running steps were recorded as interrupted.
        case terminated
    }

    public var kind: Kind
    public var problem: String
    public var fix: String
    /// What failed underneath, printed after the fix: usually a ``CommandError``.
    public var cause: (any Error)?

    public init(_ kind: Kind = .stepFailed, problem: String, fix: String, cause: (any Error)? = nil) {
        self.kind = kind
        self.problem = problem
        self.fix = fix
        self.cause = cause
    }

    public var description: String {
        var text = "\(problem)\n  fix: \(fix)"
        if let cause { text += "\n\(cause)" }
        return text
    }

    /// The same problem, reported as another kind (a failure during preflight is a preflight problem).
    public func reported(as kind: Kind) -> Problem {
        var copy = self
        copy.kind = kind
        return copy
    }

    /// The same problem with more said in front of it: "deploying `redis` failed: …".
    public func prefixed(_ context: String) -> Problem {
        var copy = self
        copy.problem = context + copy.problem
        return copy
    }
}

/// An error that knows which ``Problem`` it is (the state store's, the planner's, a timeout).
public protocol ProblemConvertible: Error {
    var asProblem: Problem { get }
}

extension Problem {
    /// Any error as a problem: itself, its own conversion, or a generic step failure that
    /// keeps the error as the cause.
    public init(_ error: any Error) {
        switch error {
        case let problem as Problem:
            self = problem
        case is CancellationError:
            // Ctrl-C, as a person reads it (never `CancellationError()`).
            self.init(
                .interrupted, problem: "interrupted",
                fix: "see what was done with `provision history`, then run the command again")
        case let convertible as any ProblemConvertible:
            self = convertible.asProblem
        case let command as CommandError:
            self.init(
                .stepFailed, problem: "`\(command.command.executable)` failed",
                fix: "run the command below by hand to see why", cause: command)
        default:
            self.init(
                .stepFailed, problem: String(describing: error),
                fix: "see `provision history` for the recorded steps")
        }
    }
}

extension Problem {
    /// Several problems found together (preflight lists every blocking one at once), as one:
    /// itself when there is one, else a numbered list, each with its fix.
    public static func all(_ problems: [Problem], kind: Kind) -> Problem? {
        guard let first = problems.first else { return nil }
        guard problems.count > 1 else { return first.reported(as: kind) }
        let items = problems.enumerated().map { index, problem in
            "  \(index + 1). \(problem.problem)\n     fix: \(problem.fix)"
        }
        return Problem(
            kind, problem: "\(problems.count) \(listHeader)\n" + items.joined(separator: "\n"),
            fix: "fix each one as its line says, then run the command again")
    }

    private static let listHeader = "problems must be fixed first:"

    /// One line for a recorded problem's text (a run's `error`), as a table cell shows it: its
    /// first line, or for a list made by ``all(_:kind:)`` its first problem and how many more.
    public static func headline(of text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = String(lines.first ?? "")
        guard let count = first.wholeMatch(of: /(\d+) (.+)/).flatMap({ $0.2 == listHeader ? Int($0.1) : nil }),
              lines.count > 1, let item = lines[1].wholeMatch(of: /\s*1\. (.+)/)
        else { return first }
        return "\(item.1) (+\(count - 1) more)"
    }
}
