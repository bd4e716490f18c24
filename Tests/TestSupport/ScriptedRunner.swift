import Foundation
import ProcessRunning
import ProvisionCore
import Synchronization

/// An in-process ``CommandRunner`` that records every command and answers from a script.
///
/// Rules are matched in the order they were added; a rule with several answers gives
/// them one after the other and repeats its last. A command no rule matches is recorded
/// in ``unmatched`` and answered with exit status 127, so a test sees unexpected calls.
public final class ScriptedRunner: CommandRunner {
    public enum Answer: Sendable {
        case output(exit: Int32 = 0, stdout: String = "", stderr: String = "")
        case notFound
        case timeout(Duration)
    }

    private struct Rule {
        let matches: @Sendable (Command) -> Bool
        var answers: [Answer]
    }

    private struct State {
        var rules: [Rule] = []
        var calls: [Command] = []
        var unmatched: [Command] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Answers commands whose executable is `executable` and whose arguments start with `prefix`.
    public func on(_ executable: String, _ prefix: String..., answers: Answer...) {
        on(executable, prefix: prefix, answers: answers)
    }

    public func on(_ executable: String, prefix: [String], answers: [Answer]) {
        on(where: { $0.executable == executable && $0.arguments.starts(with: prefix) }, answers: answers)
    }

    /// Answers commands whose arguments contain `words` as a contiguous run.
    public func on(_ executable: String, containing words: [String], answers: Answer...) {
        on(where: { $0.executable == executable && $0.arguments.containsRun(words) }, answers: answers)
    }

    public func on(where matches: @escaping @Sendable (Command) -> Bool, answers: [Answer]) {
        precondition(!answers.isEmpty)
        state.withLock { $0.rules.append(Rule(matches: matches, answers: answers)) }
    }

    public var calls: [Command] { state.withLock { $0.calls } }
    public var unmatched: [Command] { state.withLock { $0.unmatched } }
    /// Every command line, as a user would type it.
    public var commandLines: [String] { calls.map(\.description) }

    public func execute(_ command: Command) async throws -> CommandOutput {
        let answer: Answer? = state.withLock { state in
            state.calls.append(command)
            guard let index = state.rules.firstIndex(where: { $0.matches(command) }) else {
                state.unmatched.append(command)
                return nil
            }
            let answer = state.rules[index].answers[0]
            if state.rules[index].answers.count > 1 { state.rules[index].answers.removeFirst() }
            return answer
        }
        switch answer {
        case nil:
            return CommandOutput(exitStatus: 127, standardOutput: "", standardError: "unscripted: \(command)")
        case .output(let exit, let stdout, let stderr)?:
            return CommandOutput(exitStatus: exit, standardOutput: stdout, standardError: stderr)
        case .notFound?:
            throw CommandError(command: command, reason: .notFound)
        case .timeout(let limit)?:
            throw CommandError(command: command, reason: .timedOut(limit))
        }
    }
}

extension Array where Element == String {
    public func containsRun(_ run: [String]) -> Bool {
        guard !run.isEmpty, run.count <= count else { return run.isEmpty }
        return (0...(count - run.count)).contains { Array(self[$0..<$0 + run.count]) == run }
    }
}

/// Records the waits a backend asks for instead of sleeping.
public final class RecordedSleeps: Sendable {
    private let waits = Mutex<[Duration]>([])
    public init() {}
    public var all: [Duration] { waits.withLock { $0 } }
    public var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.waits.withLock { $0.append(duration) } }
    }
}
