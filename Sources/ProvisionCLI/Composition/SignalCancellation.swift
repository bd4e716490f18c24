import Dispatch
import Foundation
import ProvisionCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into cancellation of the running work, so the deployer can
/// record running steps as interrupted before `provision` exits. A second signal while
/// the work winds down exits at once.
final class SignalCancellation: Sendable {
    private let received = Mutex<Int32?>(nil)
    private let console: Console
    /// Kept alive while installed; touched only by `run`, which installs and uninstalls once.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    /// The first signal received, if any.
    var signal: Int32? { received.withLock { $0 } }

    init(console: Console) {
        self.console = console
    }

    /// What `provision <command>` reports after a signal: interrupted (SIGINT, exit 130)
    /// or terminated (SIGTERM, exit 143), with running steps recorded as interrupted.
    func interruption(command: String) -> Problem {
        Problem(
            signal == SIGTERM ? .terminated : .interrupted,
            problem: "provision \(command) was interrupted; running steps are recorded as interrupted",
            fix: "see what was done with `provision history`, then run `provision \(command)` again")
    }

    /// Runs `operation` in a task that SIGINT and SIGTERM cancel.
    func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await operation() }
        install { task.cancel() }
        defer { uninstall() }
        return try await task.value
    }

    private func install(cancel: @escaping @Sendable () -> Void) {
        var installed: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            // The default action would kill the process before anything is recorded.
            ignoreDefaultAction(of: signalNumber)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                let first = received.withLock { current -> Bool in
                    guard current == nil else { return false }
                    current = signalNumber
                    return true
                }
                if first {
                    console.error(
                        "\n\(Self.name(of: signalNumber)) received: stopping; running steps are recorded "
                            + "as interrupted (send it again to exit at once)")
                    cancel()
                } else {
                    console.error("\(Self.name(of: signalNumber)) received again: exiting now")
                    exit(128 + signalNumber)
                }
            }
            source.resume()
            installed.append(source)
        }
        sources = installed
    }

    private func uninstall() {
        for source in sources { source.cancel() }
        sources = []
        // Give the signals their default action back (tests run commands in one process).
        for signalNumber in [SIGINT, SIGTERM] { restoreDefaultAction(of: signalNumber) }
    }

    private static func name(of signalNumber: Int32) -> String {
        signalNumber == SIGINT ? "SIGINT" : signalNumber == SIGTERM ? "SIGTERM" : "signal \(signalNumber)"
    }
}

/// Ignores the signal's default action (the dispatch source still sees it).
private func ignoreDefaultAction(of signalNumber: Int32) {
    _ = signal(signalNumber, SIG_IGN)
}

/// Gives the signal its default action back.
private func restoreDefaultAction(of signalNumber: Int32) {
    _ = signal(signalNumber, SIG_DFL)
}
