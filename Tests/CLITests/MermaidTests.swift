import Components
import Foundation
import ProvisionCore
import Testing
import TestSupport
@testable import provision

/// The mermaid pictures: `provision plan --format mermaid` (``MermaidPlan``).
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
        #expect(text.standardOutput == PlanPrinter.render(catalogPlan) + "\n")
        #expect(throws: (any Error).self) { try Provision.parseAsRoot(["plan", "--format", "svg"]) }
    }
}
