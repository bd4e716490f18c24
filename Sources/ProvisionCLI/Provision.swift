import ArgumentParser
import Backends
import ProvisionCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `provision`: brings up the wrightnow staging stack on Kubernetes and keeps a history of it.
/// The `provision` executable runs ``main()``; tests and the benchmark import the library.
public struct Provision: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Bring up the wrightnow staging stack on Kubernetes, tear it down, and audit every run.",
        discussion: """
            provision deploys the components under k8s/ (`provision components` lists them) in \
            dependency order, running independent ones side by side, and records every run and \
            step in a SQLite history.

            EXAMPLES:
              provision up                  create or reuse the kind cluster, deploy all
              provision up --only redis     deploy Redis and what it needs
              provision plan                the order and what runs side by side
              provision status              does the cluster exist, is each part ready?
              provision history             the last runs, newest first
              provision history 12          the steps of run 12
              provision down                delete the cluster, keep the data directory

            \(ProvisionExit.helpTable)

            \(HelpText.requirements)
            """,
        version: ProvisionVersion.description,
        subcommands: [
            Up.self, Down.self, Status.self, PlanCommand.self, History.self, ComponentsCommand.self, ArgoCDCommand.self,
        ]
    )

    /// Like ArgumentParser's own entry point, but usage errors exit with 2 (the documented
    /// code) rather than ArgumentParser's 64, and every ``Problem`` prints as problem + fix
    /// and exits with the code its kind maps to (``ProvisionExit``).
    public static func runCommandLine() async {
        // A write to a closed pipe is an error (EPIPE), not a signal that kills provision: a
        // child that exits before reading its standard input (kubectl without its context)
        // then fails with its own message, and `provision history | head` ends quietly.
        ignoreBrokenPipes()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let problem as Problem {
            Console.standard.error(problem.report)
            exit(withError: ProvisionExit.code(for: problem.kind))
        } catch let failure as RecordedFailure {
            Console.standard.error(failure.report)
            exit(withError: ProvisionExit.code(for: failure.problem.kind))
        } catch let exitCode as ExitCode {
            exit(withError: exitCode)
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.standard.error(fullMessage(for: error))
                exit(withError: ProvisionExit.code(for: .usage))
            }
            exit(withError: error)
        }
    }
}

/// SIGPIPE ignored process-wide; every write reports EPIPE instead.
func ignoreBrokenPipes() {
    _ = signal(SIGPIPE, SIG_IGN)
}
