import Components
import Foundation
@testable import ProvisionCore
import Testing
import TestSupport
@testable import ProvisionCLI

/// The mermaid pictures: `provision plan --format mermaid` (``MermaidPlan``) and the Gantt
/// chart of a run's steps (``MermaidGantt``).
@Suite("Mermaid pictures")
struct MermaidTests {
    struct Part: Component {
        let id: ComponentID
        var dependencies: [ComponentID] = []
        var isOptional = false
        var summary: String { "test component \(id)" }
    }

    /// cache and db first, web after both, the optional extra after web.
    static let tinyCatalog: [any Component] = [
        Part(id: "web", dependencies: ["db", "cache"]),
        Part(id: "db"),
        Part(id: "cache"),
        Part(id: "extra", dependencies: ["web"], isOptional: true),
    ]

    // MARK: The plan as a flowchart

    @Test("a tiny plan: one node per component in plan order, an edge from each dependency, optional dashed")
    func tinyPlan() throws {
        let plan = try Plan(components: Self.tinyCatalog, includeOptional: true)
        #expect(MermaidPlan.render(plan) == """
            flowchart LR
                %% provision plan: an arrow from each component to the components that depend on it
                c_cache["cache"]
                c_db["db"]
                c_web["web"]
                c_extra["extra (optional)"]
                c_cache --> c_web
                c_db --> c_web
                c_web --> c_extra
                classDef optional stroke-dasharray: 5 5
                class c_extra optional
            """)
    }

    @Test("the removal graph reverses every edge; without optional components there is no class")
    func removalPlan() throws {
        let plan = try Plan(components: Self.tinyCatalog)
        #expect(MermaidPlan.render(plan, removal: true) == """
            flowchart LR
                %% provision plan --down: an arrow from each component to what it depends on, removed after it
                c_cache["cache"]
                c_db["db"]
                c_web["web"]
                c_web --> c_cache
                c_web --> c_db
            """)
    }

    @Test("the same plan gives the same text")
    func deterministic() throws {
        let texts = try (0..<5).map { _ in
            MermaidPlan.render(try Plan(components: Self.tinyCatalog.shuffled(), includeOptional: true))
        }
        #expect(Set(texts).count == 1)
    }

    @Test("node ids stay clear of keywords and unsafe characters, and unique; labels are escaped")
    func nodeIDs() {
        let ids = MermaidPlan.nodeIDs(["end", "a.b", "a_b", "a-b", "oops"])
        #expect(ids["end"] == "c_end")
        #expect(ids["a.b"] == "c_a_b")
        #expect(ids["a_b"] == "c_a_b_2")
        #expect(ids["a-b"] == "c_a_b_3")
        #expect(ids["oops"] == "c_oops")
        #expect(MermaidPlan.label("say \"hi\" #1 <b>") == "say #quot;hi#quot; #35;1 #60;b#62;")
    }

    @Test("`provision plan --format mermaid` prints MermaidPlan of the catalog's plan, also with --down")
    func planCommandPrintsTheGraph() async throws {
        let world = try FakeWorld()
        let catalogPlan = try Plan(components: StackCatalog.all)

        let graph = try await world.run("plan", "--format", "mermaid")
        #expect(graph.exitCode == 0, "\(graph)")
        #expect(graph.standardOutput == MermaidPlan.render(catalogPlan) + "\n")

        let removal = try await world.run("plan", "--format", "mermaid", "--down")
        #expect(removal.exitCode == 0, "\(removal)")
        #expect(removal.standardOutput == MermaidPlan.render(catalogPlan, removal: true) + "\n")

        let text = try await world.run("plan", "--format", "text")
        // The table and the waves, then the backend's image caches (ReadOnlyCommandTests).
        #expect(text.standardOutput.hasPrefix(PlanPrinter.render(catalogPlan) + "\n\nImage caches (--backend kind)"))
        #expect(throws: (any Error).self) { try Provision.parseAsRoot(["plan", "--format", "svg"]) }
    }

    // MARK: A run as a Gantt chart

    /// 2026-01-01T00:00:00Z in milliseconds.
    static let base: Int64 = 1_767_225_600_000

    static func date(_ offset: Int64) -> Date { Date(timeIntervalSince1970: Double(base + offset) / 1000) }

    static func run(id: Int64 = 7, commandLine: [String] = ["provision", "up"], outcome: RunOutcome = .failed) -> RunRecord {
        RunRecord(
            id: RunID(id), commandLine: commandLine, backend: "kind", cluster: "wrightnow", startedAt: date(0),
            endedAt: date(2000), outcome: outcome, error: nil, toolVersion: "test", manifestsRevision: nil,
            pid: 1, processStartTime: nil, context: nil, server: nil)
    }

    static func step(
        _ id: Int64, _ component: ComponentID?, _ action: StepAction, _ state: StepState, _ start: Int64?, _ end: Int64?
    ) -> StepRecord {
        StepRecord(
            id: StepID(id), runID: RunID(7), component: component, action: action, state: state,
            startedAt: start.map(date), endedAt: end.map(date),
            durationSeconds: start.flatMap { s in end.map { Double($0 - s) / 1000 } },
            attempt: 1, error: nil, note: nil, digest: nil)
    }

    /// preflight, create-cluster, then db and cache side by side; web waits for both and
    /// fails, so extra is skipped.
    static let tinySteps: [StepRecord] = [
        step(1, nil, .preflight, .succeeded, 0, 100),
        step(2, nil, .createCluster, .succeeded, 100, 400),
        step(3, "db", .deploy, .succeeded, 400, 1400),
        step(4, "cache", .deploy, .succeeded, 400, 900),
        step(5, "web", .deploy, .failed, 1400, 1900),
        step(6, "extra", .deploy, .skipped, nil, 1900),
    ]

    @Test("a tiny run: overlapping steps, the failed one crit, the critical path active, the skipped one a milestone")
    func tinyRun() {
        let t = { (offset: Int64) in String(Self.base + offset) }
        #expect(MermaidGantt.render(run: Self.run(), steps: Self.tinySteps.shuffled()) == """
            gantt
                title Run 7: provision up (failed)
                dateFormat x
                axisFormat %H:%M:%S.%L
                todayMarker off
                section run
                preflight :active, \(t(0)), \(t(100))
                create-cluster :active, \(t(100)), \(t(400))
                section components
                deploy db :active, \(t(400)), \(t(1400))
                deploy cache :done, \(t(400)), \(t(900))
                deploy web (failed) :crit, active, \(t(1400)), \(t(1900))
                deploy extra (skipped) :milestone, \(t(1900)), \(t(1900))
            """)
    }

    @Test("steps without a start and an end are left out, except skipped ones; a run of minutes shows no milliseconds")
    func leftOutAndLongRuns() {
        let steps = [
            Self.step(1, nil, .preflight, .succeeded, 0, 90_000),
            Self.step(2, "db", .deploy, .running, 90_000, nil),
            Self.step(3, "web", .deploy, .pending, nil, nil),
            Self.step(4, "cache", .deploy, .interrupted, 90_000, 95_000),
        ]
        let text = MermaidGantt.render(run: Self.run(outcome: .interrupted), steps: steps)
        #expect(text.contains("    axisFormat %H:%M:%S\n"))
        #expect(!text.contains("deploy db") && !text.contains("deploy web"))
        // Interrupted and on the critical path: active, and no done.
        #expect(text.contains("    deploy cache (interrupted) :active, \(Self.base + 90_000), \(Self.base + 95_000)"))
        #expect(text.contains("    preflight :active, "))
    }

    @Test("titles and names lose the characters that end them in mermaid's Gantt grammar")
    func unsafeText() {
        let run = Self.run(commandLine: ["provision", "up", "--only", "a;b", "#c", "50%"])
        let steps = [Self.step(1, "odd:id#1", .deploy, .succeeded, 0, 10)]
        let text = MermaidGantt.render(run: run, steps: steps)
        #expect(text.contains("    title Run 7: provision up --only a b c 50 (failed)\n"))
        #expect(text.contains("    deploy odd id 1 :active, "))
        #expect(MermaidGantt.text("a:b", keepingColons: true) == "a:b")
    }

    @Test("an empty run has the header only")
    func emptyRun() {
        #expect(MermaidGantt.render(run: Self.run(), steps: []) == """
            gantt
                title Run 7: provision up (failed)
                dateFormat x
                axisFormat %H:%M:%S.%L
                todayMarker off
            """)
    }

    // MARK: The critical path rule

    typealias Span = MermaidGantt.Span

    @Test("the critical path: the last to end, then each time the step that ended last before it started")
    func criticalPath() {
        // A 0-10, B 5-20 and C 12-30: C ends last; of the steps that ended by 12 only A did
        // (B was still running when C started), so B is off the path although it is longer.
        #expect(MermaidGantt.criticalPath([
            Span(id: 1, start: 0, end: 10), Span(id: 2, start: 5, end: 20), Span(id: 3, start: 12, end: 30),
        ]) == [1, 3])
        // Of two candidates, the one that ended later.
        #expect(MermaidGantt.criticalPath([
            Span(id: 1, start: 0, end: 4), Span(id: 2, start: 0, end: 8), Span(id: 3, start: 10, end: 12),
        ]) == [2, 3])
        #expect(MermaidGantt.criticalPath([]) == [])
    }

    @Test("ties on the end go to the later start, then to the step recorded first; zero-length steps end the walk")
    func criticalPathTies() {
        #expect(MermaidGantt.criticalPath([
            Span(id: 1, start: 0, end: 10), Span(id: 2, start: 5, end: 10), Span(id: 3, start: 10, end: 12),
        ]) == [2, 3])
        #expect(MermaidGantt.criticalPath([
            Span(id: 2, start: 0, end: 10), Span(id: 1, start: 0, end: 10), Span(id: 3, start: 10, end: 12),
        ]) == [1, 3])
        // A zero-length step that started when the others ended is the last one.
        #expect(MermaidGantt.criticalPath([
            Span(id: 2, start: 0, end: 10), Span(id: 1, start: 3, end: 10), Span(id: 3, start: 10, end: 10),
        ]) == [1, 3])
        #expect(MermaidGantt.criticalPath([Span(id: 5, start: 7, end: 7), Span(id: 6, start: 7, end: 7)]) == [6, 5])
        #expect(MermaidGantt.criticalPath([Span(id: 9, start: 3, end: 3)]) == [9])
    }
}
