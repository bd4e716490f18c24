import Foundation
import ProvisionCore
import RunHistory
import Testing
import TestSupport
@testable import ProvisionCLI

/// The two mermaid pictures in docs/architecture.md are the tool's own output: the plan's
/// graph byte for byte, the Gantt chart of a run in structure (its times vary per run).
@Suite("Mermaid pictures in docs/architecture.md", .serialized)
struct PictureTests {
    static let document = "docs/architecture.md"

    /// The ```mermaid blocks of a Markdown text, without their fences.
    static func mermaidBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil {
                if line.trimmingCharacters(in: .whitespaces) == "```mermaid" { current = [] }
            } else if line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current!.append(line)
            }
        }
        return blocks
    }

    static func block(startingWith keyword: String) throws -> String {
        let blocks = mermaidBlocks(try Repository.read(document))
        return try #require(
            blocks.first { $0.hasPrefix(keyword + "\n") },
            "\(document) has no ```mermaid block starting with `\(keyword)`")
    }

    /// The command whose output the documented graph is: the plan with every optional
    /// built-in component.
    static func planArguments(optional: [ComponentID]) -> [String] {
        ["plan", "--format", "mermaid"] + (optional.isEmpty ? [] : ["--with", optional.map(\.rawValue).joined(separator: ",")])
    }

    /// `provision plan --format mermaid` prints ``MermaidPlan`` of the catalog's plan
    /// (MermaidTests); the picture is that output for the built-in components, so a component
    /// a team registers later does not change it.
    @Test("the plan graph is what `provision plan --format mermaid` prints for the built-in catalog")
    func planGraphIsTheToolsOutput() throws {
        let documented = try Self.block(startingWith: "flowchart LR")
        let builtIn = try BuiltInComponents.all()
        let printed = MermaidPlan.render(try Plan(components: builtIn, includeOptional: true))
        let command = "provision " + Self.planArguments(optional: builtIn.filter(\.isOptional).map(\.id)).joined(separator: " ")
        #expect(documented == printed, """
            \(Self.document)'s graph differs from `\(command)` for the built-in components; replace the block with:
            \(printed)
            """)
        #expect(try Repository.read(Self.document).contains("`\(command)`"),
                "\(Self.document) should name the command that printed its graph")
    }

    // MARK: The Gantt chart

    /// What a Gantt block says apart from its times and tags.
    struct GanttShape: Equatable, CustomStringConvertible {
        var header: [String]
        var sections: [String]
        /// Task names per section, in order.
        var tasks: [[String]]
        var description: String {
            (header + zip(sections, tasks).map { "section \($0): \($1.joined(separator: " | "))" }).joined(separator: "\n")
        }
    }

    struct GanttTask {
        var name: String
        var tags: Set<String>
        var start: Int64
        var end: Int64
    }

    /// Reads a block as ``MermaidGantt`` writes it; every line that is not one of its forms
    /// is reported.
    static func parseGantt(_ block: String) -> (shape: GanttShape, tasks: [GanttTask], problems: [String]) {
        var shape = GanttShape(header: [], sections: [], tasks: [])
        var tasks: [GanttTask] = []
        var problems: [String] = []
        let lines = block.components(separatedBy: "\n")
        if lines.first != "gantt" { problems.append("the first line is not `gantt`") }
        for line in lines.dropFirst() {
            if let match = line.wholeMatch(of: /\ {4}section ([^#:;%]+)/) {
                shape.sections.append(String(match.1))
                shape.tasks.append([])
            } else if let match = line.wholeMatch(of: /\ {4}([^#:;%]+?) :((?:(?:active|done|crit|milestone), )*)(\d+), (\d+)/) {
                guard !shape.sections.isEmpty else {
                    problems.append("a task before the first section: \(line)")
                    continue
                }
                let tags = Set(match.2.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                let task = GanttTask(name: String(match.1), tags: tags, start: Int64(match.3)!, end: Int64(match.4)!)
                if task.start > task.end { problems.append("a task that ends before it starts: \(line)") }
                shape.tasks[shape.tasks.count - 1].append(task.name)
                tasks.append(task)
            } else if shape.sections.isEmpty, line.wholeMatch(
                of: /\ {4}(title [^#;%]+|dateFormat x|axisFormat %H:%M:%S(\.%L)?|todayMarker off)/) != nil {
                // The axis format depends on how long the run took.
                shape.header.append(line.hasPrefix("    axisFormat") ? "    axisFormat" : line)
            } else {
                problems.append("not a line MermaidGantt writes: `\(line)`")
            }
        }
        return (shape, tasks, problems)
    }

    @Test("the sample Gantt chart has the shape of a real `provision up` against the fake tools")
    func ganttIsARealRunsShape() async throws {
        let documented = Self.parseGantt(try Self.block(startingWith: "gantt"))
        #expect(documented.problems.isEmpty, "\(documented.problems)")

        let world = try FakeWorld()
        let up = try await world.provision("up")
        try #require(up.exitCode == 0, "\(up)")
        let store = try StateStore(url: StateStore.file(in: world.stateDirectory))
        let run = try #require(try store.runs(limit: 1).first)
        // The sample shows the built-in components; a component a team added is left out.
        let builtIn = try BuiltInComponents.ids()
        let steps = try store.steps(of: run.id).filter { $0.component.map(builtIn.contains) ?? true }
        let fresh = MermaidGantt.render(run: run, steps: steps)
        let generated = Self.parseGantt(fresh)
        #expect(generated.problems.isEmpty, "\(generated.problems)")

        #expect(documented.shape == generated.shape, """
            \(Self.document)'s Gantt chart differs in shape from a fresh run's; replace the block with:
            \(fresh)
            """)
        // The component tasks are the catalog's plan, in plan order.
        let componentTasks = try Plan(components: BuiltInComponents.all()).order.map { "deploy \($0)" }
        let generatedTasks = generated.shape.tasks.last?.map { $0.replacingOccurrences(of: " (skipped)", with: "") }
        #expect(generatedTasks == componentTasks, "\(generated.shape)")
        #expect(generated.shape.header.contains("    dateFormat x"))
    }

    @Test("the sample Gantt chart marks the critical path its own times give, and no failure")
    func ganttMarksItsCriticalPath() throws {
        let tasks = Self.parseGantt(try Self.block(startingWith: "gantt")).tasks
        try #require(!tasks.isEmpty)
        let spans = tasks.enumerated().filter { !$0.element.tags.contains("milestone") }.map {
            MermaidGantt.Span(id: Int64($0.offset), start: $0.element.start, end: $0.element.end)
        }
        let path = Set(MermaidGantt.criticalPath(spans).map { Int($0) })
        let marked = Set(tasks.enumerated().filter { $0.element.tags.contains("active") }.map(\.offset))
        #expect(marked == path, "active tasks \(marked.sorted()), critical path by the times \(path.sorted())")
        #expect(tasks.allSatisfy { !$0.tags.contains("crit") }, "the sample run succeeded")
        // Some steps ran side by side: that is what the picture is for.
        func overlap(_ i: Int, _ j: Int) -> Bool {
            let a = tasks[i], b = tasks[j]
            return a.start < b.end && b.start < a.end
        }
        let overlapping = tasks.indices.contains { (i: Int) -> Bool in
            tasks.indices.contains { (j: Int) -> Bool in i < j && overlap(i, j) }
        }
        #expect(overlapping, "no two steps of the sample run overlap")
    }

    @Test("the Gantt reader rejects lines MermaidGantt never writes")
    func readerRejects() {
        let parsed = Self.parseGantt("gantt\n    title x\n    dateFormat YYYY\n    a task :1, 2\n    section s\n    b :late, 3, 4\n    c :5, 2")
        #expect(parsed.problems.count == 4, "\(parsed.problems)")
    }
}
