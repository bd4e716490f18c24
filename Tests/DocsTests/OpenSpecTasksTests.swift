import Foundation
import TestSupport
import Testing

/// tasks.md is the seed's checklist. A box may be ticked only with a note on how it was
/// verified; an open box says what is missing.
@Suite("OpenSpec tasks checklist")
struct OpenSpecTasksTests {
    /// Tasks per phase in the seed (phases 1-12): 40 task items, although the seed's
    /// headline says 38.
    static let seedTaskCounts = [5, 4, 3, 3, 3, 4, 2, 2, 3, 3, 7, 1]
    static let seedTaskIDs: [String] = seedTaskCounts.enumerated().flatMap { phase, count in
        (1...count).map { "\(phase + 1).\($0)" }
    }

    struct Task {
        var id: String
        var done: Bool
        var text: String
    }

    /// A task is a checkbox line whose text starts with its id, plus the indented lines under it.
    static func tasks(in markdown: String) -> [Task] {
        var tasks: [Task] = []
        for line in markdown.components(separatedBy: "\n") {
            if let match = line.wholeMatch(of: /- \[([ xX])\] (\d+\.\d+) (.*)/) {
                tasks.append(Task(id: String(match.2), done: match.1 != " ", text: String(match.3)))
            } else if line.hasPrefix("  "), !tasks.isEmpty {
                tasks[tasks.count - 1].text += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return tasks
    }

    func changeTasks() throws -> [Task] {
        Self.tasks(in: try Repository.read("openspec/changes/\(OpenSpecChange.id)/tasks.md"))
    }

    @Test("every seed task appears once, in order; follow-ups come after them, in phase 13")
    func everySeedTaskOnce() throws {
        let ids = try changeTasks().map(\.id)
        #expect(Array(ids.prefix(Self.seedTaskIDs.count)) == Self.seedTaskIDs)
        let followUps = ids.dropFirst(Self.seedTaskIDs.count)
        #expect(followUps.allSatisfy { $0.hasPrefix("13.") }, "\(followUps)")
    }

    @Test("a ticked task says how it was verified; an open one says what is missing")
    func boxesCarryTheirEvidence() throws {
        for task in try changeTasks() {
            if task.done {
                #expect(task.text.contains("Verified"), "task \(task.id) is ticked without a verification note")
            } else {
                #expect(task.text.contains("Open:"), "task \(task.id) is open without saying why")
            }
        }
    }

    @Test("real-cluster tasks are ticked only with evidence from a real kind cluster")
    func realClusterTasksNeedAClusterRun() throws {
        for task in try changeTasks() where ["11.2", "11.3", "11.4", "11.5", "11.6"].contains(task.id) && task.done {
            #expect(task.text.contains("Verified on a real kind cluster"), "task \(task.id) needs a real-cluster run")
        }
    }

    @Test("the task parser reads ids, boxes and continuation lines")
    func parserReadsTasks() {
        let tasks = Self.tasks(in: "## 1. A\n\n- [x] 1.1 Done. Verified: test.\n- [ ] 1.2 Later.\n  Open: needs a cluster.\n")
        #expect(tasks.map(\.id) == ["1.1", "1.2"])
        #expect(tasks.map(\.done) == [true, false])
        #expect(tasks[1].text.contains("Open: needs a cluster."))
    }
}
