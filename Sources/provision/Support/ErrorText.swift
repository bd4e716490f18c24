import ArgumentParser
import ProvisionCore

/// Errors out of a backend or command, as `provision` prints them.
enum ErrorText {
    /// "problem\n  fix: ..." texts split, anything else described whole.
    static func failure(_ error: any Error, exitCode: ExitCode) -> ProvisionFailure {
        if let backend = error as? BackendError {
            return ProvisionFailure(
                backend.problem, fix: backend.fix, detail: backend.cause.map { String(describing: $0) },
                exitCode: exitCode)
        }
        let (problem, fix) = StoreAccess.split(String(describing: error))
        return ProvisionFailure(problem, fix: fix, exitCode: exitCode)
    }
}

/// What to print and which exit code to use after SIGINT or SIGTERM.
enum Interruption {
    static func failure(signals: SignalCancellation, command: String) -> ProvisionFailure {
        let code = signals.exitCode ?? 130
        return ProvisionFailure(
            "provision \(command) was interrupted; running steps are recorded as interrupted",
            fix: "see what was done with `provision history`, then run `provision \(command)` again",
            exitCode: ExitCode(code))
    }
}
