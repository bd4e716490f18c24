import Foundation
import ProvisionCore
import RunHistory

/// Text shapes shared by `history` and the end of `up` and `down`.
enum HistoryText {
    /// The command line without the program path: `up --backend kind`.
    static func command(_ commandLine: [String], limit: Int = 40) -> String {
        let words = commandLine.isEmpty ? [] : Array(commandLine.dropFirst())
        let text = words.isEmpty ? "provision" : words.joined(separator: " ")
        return Format.summary(text, limit: limit)
    }

    static func runDetail(_ run: RunRecord, steps: [StepRecord]) -> String {
        var lines: [String] = []
        lines.append("Run \(run.id): \(run.outcome.rawValue)")
        lines.append("  command:   \(run.commandLine.joined(separator: " "))")
        lines.append("  backend:   \(run.backend), cluster \(run.cluster)")
        if let user = run.user {
            lines.append("  by:        \(user)" + (run.host.map { " on \($0)" } ?? ""))
        }
        if let tools = run.tools, !tools.isEmpty {
            lines.append("  tools:     \(tools.joined(separator: ", "))")
        }
        if let context = run.context {
            lines.append("  context:   \(context)" + (run.server.map { ", API server \($0)" } ?? ""))
        }
        var timing = "  started:   \(Format.timestamp(run.startedAt))"
        if let ended = run.endedAt { timing += ", ended \(Format.timestamp(ended))" }
        if let elapsed = run.duration { timing += " (\(Format.duration(elapsed)))" }
        lines.append(timing)
        lines.append("  provision: \(run.toolVersion), k8s/ revision \(run.manifestsRevision ?? "unknown")")
        if let error = run.error {
            lines.append("  error:     " + error.split(separator: "\n").joined(separator: "\n             "))
        }
        lines.append("")
        guard !steps.isEmpty else {
            lines.append("No steps were recorded for this run.")
            return lines.joined(separator: "\n")
        }
        let rows: [[String]] = steps.map { (step: StepRecord) -> [String] in
            let message: String =
                step.error.map { Format.summary($0, limit: 70) } ?? step.note.map { Format.summary($0, limit: 70) } ?? ""
            return [
                step.component?.rawValue ?? "-",
                step.action.rawValue,
                step.state.rawValue,
                step.durationSeconds.map { Format.duration(seconds: $0) } ?? "-",
                "\(step.attempt)",
                step.digest.map { String($0.prefix(12)) } ?? "-",
                step.objects == nil ? "-" : ChangeCounts(
                    created: step.created ?? 0, changed: step.changed ?? 0, unchanged: step.unchanged ?? 0).summary,
                message,
            ]
        }
        lines.append(Format.table(
            header: ["COMPONENT", "ACTION", "STATE", "DURATION", "ATTEMPT", "DIGEST", "CHANGES", "ERROR / NOTE"],
            rows: rows))
        return lines.joined(separator: "\n")
    }
}

/// JSON for `history --json`: ISO 8601 dates, sorted keys.
enum HistoryJSON {
    struct RunWithSteps: Encodable {
        var run: RunRecord
        var steps: [StepRecord]
    }

    /// A run with its change counts: the run's own fields, plus `changes` when it has any.
    struct RunWithChanges: Encodable {
        var run: RunRecord
        var changes: ChangeCounts?
        enum Keys: String, CodingKey { case changes }
        func encode(to encoder: any Encoder) throws {
            try run.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeIfPresent(changes, forKey: .changes)
        }
    }

    static func encode(_ runs: [RunRecord], changes: [RunID: ChangeCounts] = [:]) throws -> String {
        try encode(value: runs.map { RunWithChanges(run: $0, changes: changes[$0.id]) })
    }

    static func encode(run: RunRecord, steps: [StepRecord]) throws -> String {
        try encode(value: RunWithSteps(run: run, steps: steps))
    }

    static func encode(value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
