import PropertyBased
import Testing
@testable import ProvisionCore

/// Random DAGs: node `i` may depend only on nodes with a smaller index, so the
/// graph is acyclic by construction; ids are scrambled so index order and id
/// order disagree.
struct RandomDAG: Sendable, CustomStringConvertible {
    var ids: [ComponentID]
    var edges: [(dependent: Int, dependency: Int)]

    init(size: Int, rawEdges: [Int], scramble: Int) {
        // 1009 is prime, so i * scramble mod 1009 is a permutation for i < 1009.
        ids = (0..<size).map { ComponentID("c\(($0 * scramble) % 1009)") }
        edges = rawEdges.compactMap { raw in
            let a = raw % size
            let b = (raw / size) % size
            guard a != b else { return nil }
            return (dependent: max(a, b), dependency: min(a, b))
        }
    }

    var components: [any Component] {
        ids.indices.map { index in
            TestComponent(ids[index], dependsOn: edges.filter { $0.dependent == index }.map { ids[$0.dependency] })
        }
    }

    var description: String {
        "\(ids.count) nodes: " + edges.map { "\(ids[$0.dependent])->\(ids[$0.dependency])" }.joined(separator: " ")
    }
}

@Suite("Plan on random DAGs")
struct PlanPropertyTests {
    static let dags = zip(Gen.int(in: 1...25), Gen.int(in: 0...100_000).array(of: 0...80), Gen.int(in: 1...1008))
        .map { RandomDAG(size: $0.0, rawEdges: $0.1, scramble: $0.2) }

    @Test func orderRespectsEveryEdgeAndContainsEachComponentOnce() async {
        await propertyCheck(count: 200, input: Self.dags) { dag in
            let plan = try Plan(components: dag.components)
            #expect(plan.order.count == dag.ids.count)
            #expect(Set(plan.order) == Set(dag.ids))
            let position = Dictionary(uniqueKeysWithValues: plan.order.enumerated().map { ($1, $0) })
            for edge in dag.edges {
                #expect(position[dag.ids[edge.dependency]]! < position[dag.ids[edge.dependent]]!, "\(dag)")
            }
        }
    }

    @Test func wavesPutEveryDependencyInAnEarlierWave() async {
        await propertyCheck(count: 200, input: Self.dags) { dag in
            let plan = try Plan(components: dag.components)
            let wave = Dictionary(
                uniqueKeysWithValues: plan.waves.enumerated().flatMap { index, ids in ids.map { ($0, index) } })
            #expect(wave.count == dag.ids.count)
            for edge in dag.edges {
                #expect(wave[dag.ids[edge.dependency]]! < wave[dag.ids[edge.dependent]]!)
            }
        }
    }

    @Test func orderDoesNotDependOnRegistrationOrder() async {
        await propertyCheck(count: 100, input: Self.dags) { dag in
            let plan = try Plan(components: dag.components)
            let reversed = try Plan(components: dag.components.reversed())
            #expect(plan.order == reversed.order)
            #expect(plan.waves == reversed.waves)
        }
    }

    @Test func selectionContainsExactlyTheSelectedAndWhatTheyNeed() async {
        await propertyCheck(count: 200, input: Self.dags, Gen.int(in: 0...1_000_000)) { dag, pick in
            let selected = Set(dag.ids.enumerated().filter { (pick >> ($0.offset % 20)) & 1 == 1 }.map(\.element))
            let plan = try Plan(components: dag.components, selecting: selected)
            // Expected closure, computed independently by repeated expansion.
            var expected = selected
            var grew = true
            while grew {
                grew = false
                for edge in dag.edges where expected.contains(dag.ids[edge.dependent]) {
                    grew = expected.insert(dag.ids[edge.dependency]).inserted || grew
                }
            }
            #expect(Set(plan.order) == expected)
            #expect(plan.order.count == expected.count)
        }
    }

    @Test func addingABackEdgeIsAlwaysReportedAsACycle() async {
        await propertyCheck(count: 100, input: Self.dags) { dag in
            guard let edge = dag.edges.first else { return }
            var components = dag.components
            // The dependency now also depends on its dependent: a loop of length two at least.
            let dependency = dag.ids[edge.dependency]
            let index = dag.ids.firstIndex(of: dependency)!
            let old = components[index]
            components[index] = TestComponent(dependency, dependsOn: old.dependencies + [dag.ids[edge.dependent]])
            let error = try #require(throws: PlanError.self) { try Plan(components: components) }
            guard case .cycle(let path) = error else {
                Issue.record("expected a cycle, got \(error)")
                return
            }
            #expect(path.count >= 3)
            #expect(path.first == path.last)
            // Each hop of the reported path is a real dependency.
            let byID = Dictionary(uniqueKeysWithValues: components.map { ($0.id, $0) })
            for (from, to) in zip(path, path.dropFirst()) {
                #expect(byID[from]!.dependencies.contains(to), "\(from) -> \(to) is not an edge")
            }
        }
    }
}
