import ArgumentParser
import Foundation
import ProcessRunning
import ProvisionCore

/// `provision history diff A B`: what was applied differently between two runs.
struct HistoryDiff: RuntimeCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show a unified diff of what two runs applied, component by component.",
        discussion: """
            Compares the objects each component's deploy step applied in run A with run B \\
            (`diff -u`). Components applied in only one of them are shown whole. Exit code 0 \\
            either way; nothing is printed but a note when the runs applied the same.

            EXAMPLES:
              provision history diff 6 7
              provision history diff 6 7 --component authentik
            """)

    @Argument(help: ArgumentHelp("The earlier run.", valueName: "run-a"))
    var first: String

    @Argument(help: ArgumentHelp("The later run.", valueName: "run-b"))
    var second: String

    @Option(help: ArgumentHelp("Only this component.", valueName: "id"))
    var component: String?

    @OptionGroup var state: StateOptions

    func validate() throws {
        for text in [first, second] where History.parseRunID(text) == nil {
            throw ValidationError("'\(text)' is not a run id; run ids are numbers, e.g. 7 or #7")
        }
    }

    func run(in runtime: Runtime) async throws {
        let store = try HistoryStore.open(state, in: runtime)
        var applied: [[ComponentID: String]] = []
        for text in [first, second] {
            let id = History.parseRunID(text)!
            guard let run = try StoreAccess.perform({ try store.run(id) }) else { throw HistoryStore.noRun(text) }
            let steps = try StoreAccess.perform { try store.steps(of: id) }
            var manifests: [ComponentID: String] = [:]
            for step in steps where step.action == .deploy && step.objects != nil {
                guard let component = step.component else { continue }
                manifests[component] = try HistoryStore.applied(component, in: run, steps: steps, store: store)
            }
            applied.append(manifests)
        }
        var components = Set(applied[0].keys).union(applied[1].keys).sorted()
        if let component {
            let id = ComponentID(component)
            guard components.contains(id) else {
                throw Problem(
                    .usage, problem: "neither run \(first) nor run \(second) applied component `\(component)`",
                    fix: "see what each applied with `provision history show <run>`")
            }
            components = [id]
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "provision-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var differences = 0
        for id in components {
            let a = directory.appending(path: "a-\(id)"), b = directory.appending(path: "b-\(id)")
            try (applied[0][id] ?? "").write(to: a, atomically: true, encoding: .utf8)
            try (applied[1][id] ?? "").write(to: b, atomically: true, encoding: .utf8)
            let command = Command("diff", [
                "-u", "--label", "run \(first)/\(id)", "--label", "run \(second)/\(id)", a.path, b.path,
            ], timeout: .seconds(60))
            let output = try await runtime.runner.execute(command)
            // diff exits 0 for no differences, 1 for differences, 2 for trouble (GNU diffutils).
            switch output.exitStatus {
            case 0: continue
            case 1:
                differences += 1
                runtime.console.out(output.standardOutput, terminator: "")
            default:
                throw Problem(
                    problem: "diff could not compare what runs \(first) and \(second) applied",
                    fix: "check that `diff` (diffutils) is installed",
                    cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
            }
        }
        if differences == 0 {
            runtime.console.out("Runs \(first) and \(second) applied the same objects"
                + (component.map { " for \($0)" } ?? "") + ".")
        }
    }
}
