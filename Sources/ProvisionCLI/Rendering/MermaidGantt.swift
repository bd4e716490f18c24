import Foundation
import ProvisionCore

/// A run's steps as a mermaid Gantt chart (for `provision history show RUN --format
/// mermaid`): steps that ran side by side overlap, and the critical path stands out.
///
/// The text:
/// - `dateFormat x`: every time is milliseconds since the Unix epoch, so steps shorter than
///   a second keep their length. `axisFormat` shows wall-clock time (the viewer's time
///   zone), with milliseconds when the run took less than a minute. `todayMarker off`: the
///   run is in the past.
/// - Section `run` holds the run-level steps (preflight, start-caches, create-cluster, ...),
///   section `warm-up` the pulls of images into the caches (they overlap create-cluster),
///   section `components` the component steps, each in the order the run recorded them (plan
///   order), so the same run shape always lists the same tasks in the same order.
/// - One task per step that has a start and an end: `label :tags, start, end`. Tags:
///   `crit` for a failed step, `active` for a step on the critical path (mermaid has no tag
///   of its own for it; `active` draws it highlighted; a failed step on it gets both),
///   `done` for the other succeeded steps, none for an interrupted one. A step that did
///   not succeed says its state after its label, e.g. `deploy redis (failed)`.
/// - A skipped step (never started, ended when it was skipped) is a `milestone` at the time
///   it was skipped. Steps still pending or running are left out.
enum MermaidGantt {
    static func render(run: RunRecord, steps: [StepRecord]) -> String {
        let ordered = steps.sorted { $0.id < $1.id }
        let tasks = ordered.compactMap(Task.init)
        let onCriticalPath = Set(criticalPath(tasks.filter { !$0.isMilestone }.map(\.span)))
        let start = tasks.map(\.start).min() ?? milliseconds(run.startedAt)
        let end = tasks.map(\.end).max() ?? start

        var lines = [
            "gantt",
            "    title \(text("Run \(run.id.rawValue): \(run.commandLine.joined(separator: " ")) (\(run.outcome))", keepingColons: true))",
            "    dateFormat x",
            "    axisFormat \(end - start < 60_000 ? "%H:%M:%S.%L" : "%H:%M:%S")",
            "    todayMarker off",
        ]
        for (section, members) in [
            ("run", tasks.filter { $0.step.component == nil && $0.step.subject == nil }),
            ("warm-up", tasks.filter { $0.step.component == nil && $0.step.subject != nil }),
            ("components", tasks.filter { $0.step.component != nil }),
        ] where !members.isEmpty {
            lines.append("    section \(section)")
            for task in members {
                var tags: [String] = []
                if task.isMilestone {
                    tags = ["milestone"]
                } else {
                    if task.step.state == .failed { tags.append("crit") }
                    if onCriticalPath.contains(task.span.id) { tags.append("active") }
                    if tags.isEmpty, task.step.state == .succeeded { tags.append("done") }
                }
                let data = tags + ["\(task.start)", "\(task.end)"]
                lines.append("    \(task.name) :\(data.joined(separator: ", "))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One step's interval, in milliseconds since the epoch; `id` tells steps apart.
    struct Span: Hashable {
        var id: Int64
        var start: Int64
        var end: Int64
    }

    /// The critical path: the chain of steps whose ends determine the run's end, first step
    /// first.
    ///
    /// `StepRecord` does not say which step waited for which (the dependencies are the
    /// plan's, not the record's), so the chain is read from the times alone: start from the
    /// step that ended last; then, repeatedly, take the step that ended last at or before
    /// the current step started (the one it most plausibly waited for) until no step ended
    /// before it started. Ties on the end time go to the step that started later (it most
    /// plausibly waited for the others), then to the lower id (the step recorded first), so
    /// the result is deterministic. Steps that ran side by side with the chain and ended
    /// earlier are off the path: making them faster would not end the run sooner.
    static func criticalPath(_ spans: [Span]) -> [Int64] {
        func latest(_ candidates: [Span]) -> Span? {
            candidates.min { a, b in
                if a.end != b.end { return a.end > b.end }
                if a.start != b.start { return a.start > b.start }
                return a.id < b.id
            }
        }
        guard var current = latest(spans) else { return [] }
        var path = [current.id]
        var visited: Set<Int64> = [current.id]
        while let previous = latest(spans.filter { !visited.contains($0.id) && $0.end <= current.start }) {
            path.append(previous.id)
            visited.insert(previous.id)
            current = previous
        }
        return path.reversed()
    }

    /// A step that can be drawn: one with a start and an end, or a skipped one with an end.
    private struct Task {
        let step: StepRecord
        let span: Span
        let isMilestone: Bool

        init?(_ step: StepRecord) {
            self.step = step
            if let started = step.startedAt, let ended = step.endedAt {
                let start = milliseconds(started)
                span = Span(id: step.id.rawValue, start: start, end: max(start, milliseconds(ended)))
                isMilestone = false
            } else if step.state == .skipped, let ended = step.endedAt {
                span = Span(id: step.id.rawValue, start: milliseconds(ended), end: milliseconds(ended))
                isMilestone = true
            } else {
                return nil
            }
        }

        var start: Int64 { span.start }
        var end: Int64 { span.end }
        var name: String {
            text(step.state == .succeeded ? step.label : "\(step.label) (\(step.state))")
        }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Text for a title, section or task name, on one line: mermaid's Gantt grammar ends
    /// these at `#` and `;`, task and section names also at `:`, and it may read `%` as the
    /// start of a comment, so each becomes a space (a title keeps its colons).
    static func text(_ value: String, keepingColons: Bool = false) -> String {
        let unsafe = keepingColons ? "#;%" : "#;:%"
        let cleaned = String(value.map { $0.isNewline || unsafe.contains($0) ? " " : $0 })
        return cleaned.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
