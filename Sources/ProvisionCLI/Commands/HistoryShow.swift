import ArgumentParser
import Foundation
import ProvisionCore
import RunHistory

/// `provision history show RUN`: one run's steps, or what one of its steps applied.
struct HistoryShow: RuntimeCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: its steps, or with --manifest what a component's step applied.",
        discussion: """
            Prints what the run recorded: who ran it, where, with which tools and manifests, and \\
            each step with its outcome and change counts. --manifest prints the exact objects \\
            a component's deploy step applied (Secrets are never kept: only their names and keys).

            EXAMPLES:
              provision history show 7
              provision history show 7 --manifest authentik
              provision history show 7 --json
              provision history show 7 --format mermaid    a Gantt chart, for a Markdown file
            """)

    @Argument(help: ArgumentHelp("The run (as listed, e.g. 7 or #7).", valueName: "run-id"))
    var runID: String

    @Option(help: ArgumentHelp("Print what this component's deploy step applied.", valueName: "id"))
    var manifest: String?

    @Flag(help: "Print JSON instead of text (the same as --format json).")
    var json = false

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, mermaid
    }

    @Option(help: ArgumentHelp(
        "text, json, or mermaid: a Gantt chart of the run's steps (parallel steps and the critical path).",
        valueName: "format"))
    var format: Format = .text

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard History.parseRunID(runID) != nil else {
            throw ValidationError("'\(runID)' is not a run id; run ids are numbers, e.g. 7 or #7")
        }
    }

    func run(in runtime: Runtime) async throws {
        let id = History.parseRunID(runID)!
        let store = try HistoryStore.open(state, in: runtime)
        guard let run = try StoreAccess.perform({ try store.run(id) }) else { throw HistoryStore.noRun(runID) }
        let steps = try StoreAccess.perform { try store.steps(of: id) }
        guard let manifest else {
            switch json ? .json : format {
            case .json: runtime.console.out(try HistoryJSON.encode(run: run, steps: steps))
            case .mermaid: runtime.console.out(MermaidGantt.render(run: run, steps: steps))
            case .text: runtime.console.out(HistoryText.runDetail(run, steps: steps))
            }
            return
        }
        let text = try HistoryStore.applied(ComponentID(manifest), in: run, steps: steps, store: store)
        runtime.console.out(text, terminator: "")
    }
}

/// What `history show` and `history diff` share: opening the history and finding what a
/// component's step applied.
enum HistoryStore {
    static func open(_ state: StateOptions, in runtime: Runtime) throws -> StateStore {
        guard let store = try StoreAccess.openExisting(state, in: runtime) else {
            throw noHistory(in: state.databaseFile(in: runtime))
        }
        return store
    }

    static func noHistory(in databaseFile: URL) -> Problem {
        Problem(
            .usage, problem: "no history in \(databaseFile.path)",
            fix: "runs are recorded by `provision up` and `provision down`; check --state-dir")
    }

    static func noRun(_ text: String) -> Problem {
        Problem(.usage, problem: "run \(text) does not exist", fix: "list the runs with `provision history`")
    }

    /// The text `component`'s deploy step applied in `run`.
    static func applied(_ component: ComponentID, in run: RunRecord, steps: [StepRecord], store: StateStore) throws -> String {
        guard let step = steps.last(where: { $0.action == .deploy && $0.component == component }) else {
            let deployed = steps.filter { $0.action == .deploy }.compactMap(\.component?.rawValue)
            throw Problem(
                .usage, problem: "run \(run.id) has no deploy step for `\(component)`",
                fix: "pick one of: \(deployed.isEmpty ? "(none: the run deployed nothing)" : deployed.joined(separator: ", "))")
        }
        guard let digest = step.digest, let text = try StoreAccess.perform({ try store.manifest(digest: digest) }) else {
            throw Problem(
                .usage, problem: "run \(run.id) kept no manifest for `\(component)` (\(step.state); runs of "
                    + "provision 0.1.0 recorded digests only)",
                fix: "compare runs made by this release: `provision history`")
        }
        return text
    }
}
