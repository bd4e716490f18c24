import ArgumentParser
import Foundation
import ProvisionCore
import RunHistory

/// `provision history`: past runs (`list`, the default), one run (`show`), what changed (`diff`).
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show past runs newest first, one run's steps and what it applied, or what changed between runs.",
        discussion: """
            Every `provision up` and `provision down` is recorded in the state store as it \
            happens, step by step, with what each step applied, so the history is an audit trail.

            EXAMPLES:
              provision history                          the last 20 runs (history list)
              provision history 7                        the steps of run 7
              provision history show 7 --manifest redis  what run 7 applied for redis
              provision history diff 6 7                 what changed between two runs
            """,
        subcommands: [HistoryList.self, HistoryShow.self, HistoryDiff.self],
        defaultSubcommand: HistoryList.self)

    static func parseRunID(_ text: String) -> RunID? {
        let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
        return Int64(digits).flatMap { $0 > 0 ? RunID($0) : nil }
    }
}

/// `provision history [list]`: past runs, or one run's steps.
struct HistoryList: RuntimeCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show past runs newest first, or the steps of one run.",
        discussion: """
            Every `provision up` and `provision down` is recorded in the state store as it \
            happens, step by step, so a run that was killed still shows what it did. A run whose \
            process is gone while it was still recorded as running is marked interrupted here.

            EXAMPLES:
              provision history                         the last 20 runs
              provision history --outcome failed        only failed runs
              provision history --component authentik  runs that had an authentik step
              provision history 7                       the steps of run 7
              provision history show 7 --manifest redis  what run 7 applied for redis
              provision history diff 6 7                 what changed between two runs
              provision history --json | jq '.[0]'      machine-readable

            The run table counts the objects each run created, changed and left unchanged \
            (+created ~changed =unchanged), against each component's previous apply.
            """)

    @Argument(help: ArgumentHelp("Show the steps of this run (as listed, e.g. 7 or #7).", valueName: "run-id"))
    var runID: String?

    // `.unconditional`: `--limit -1` is a value (and gets the rule below), not an unknown flag.
    @Option(parsing: .unconditional, help: "Show at most this many runs (1 or more).")
    var limit: Int = 20

    @Option(help: ArgumentHelp(
        "Only runs with this outcome: \(RunOutcome.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "outcome"))
    var outcome: RunOutcome?

    @Option(help: ArgumentHelp("Only runs that had a step for this component.", valueName: "id"))
    var component: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be 1 or more (got \(limit))") }
        if let runID, History.parseRunID(runID) == nil {
            throw ValidationError("'\(runID)' is not a run id; run ids are numbers, e.g. 7 or #7")
        }
    }

    func run(in runtime: Runtime) async throws {
        let console = runtime.console
        if let component, !runtime.catalog.contains(where: { $0.id.rawValue == component }) {
            throw Problem(
                .usage, problem: "unknown component `\(component)` for --component",
                fix: "use one of: \(runtime.catalog.map(\.id.rawValue).joined(separator: ", ")) "
                    + "(`provision components` lists them)")
        }
        let databaseFile = state.databaseFile(in: runtime)
        guard let store = try StoreAccess.openExisting(state, in: runtime) else {
            // A run asked for where none was ever recorded: the answer `history show` gives.
            if runID != nil { throw HistoryStore.noHistory(in: databaseFile) }
            if json {
                console.out("[]")
            } else {
                console.out("No runs recorded yet (no history in \(databaseFile.path)).")
                console.out("Start one with `provision up`; every run is recorded there.")
            }
            return
        }
        try StoreAccess.perform { _ = try store.recoverAbandonedRuns() }
        if let runID, let id = History.parseRunID(runID) {
            try showRun(id, store: store, console: console, databaseFile: databaseFile)
        } else {
            try listRuns(store: store, console: console)
        }
    }

    private func notFound(_ databaseFile: URL) -> Problem {
        Problem(
            .usage, problem: "run \(runID ?? "") does not exist in \(databaseFile.path)",
            fix: "list the runs with `provision history`")
    }

    private func listRuns(store: StateStore, console: Console) throws {
        let runs = try StoreAccess.perform {
            try store.runs(
                limit: limit, outcome: outcome,
                component: component.map { ComponentID($0) })
        }
        if json {
            console.out(try HistoryJSON.encode(runs, changes: try StoreAccess.perform { try store.changes(of: runs.map(\.id)) }))
            return
        }
        guard !runs.isEmpty else {
            if outcome != nil || component != nil {
                console.out("No runs match these filters. `provision history` lists all runs.")
            } else {
                console.out("No runs recorded yet. Start one with `provision up`.")
            }
            return
        }
        let changes = try StoreAccess.perform { try store.changes(of: runs.map(\.id)) }
        let rows: [[String]] = runs.map { (run: RunRecord) -> [String] in
            let duration: String =
                run.duration.map { Format.duration($0) } ?? (run.outcome == .running ? "(running)" : "-")
            return [
                run.id.description,
                Format.timestamp(run.startedAt),
                duration,
                HistoryText.command(run.commandLine),
                run.backend,
                run.cluster,
                run.outcome.rawValue,
                changes[run.id]?.summary ?? "-",
                run.error.map { Format.summary(Problem.headline(of: $0)) } ?? "",
            ]
        }
        console.out(Format.table(
            header: ["RUN", "STARTED", "DURATION", "COMMAND", "BACKEND", "CLUSTER", "OUTCOME", "CHANGES", "ERROR"],
            rows: rows))
        console.out("")
        console.out("Steps of one run: provision history <run-id>")
    }

    private func showRun(_ id: RunID, store: StateStore, console: Console, databaseFile: URL) throws {
        guard let run = try StoreAccess.perform({ try store.run(id) }) else {
            if json { console.out("null") }
            throw notFound(databaseFile)
        }
        let steps = try StoreAccess.perform { try store.steps(of: id) }
        if json {
            console.out(try HistoryJSON.encode(run: run, steps: steps))
            return
        }
        console.out(HistoryText.runDetail(run, steps: steps))
    }
}
