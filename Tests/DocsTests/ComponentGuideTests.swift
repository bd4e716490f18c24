import Components
import Foundation
import ProvisionCore
import Testing

/// The worked example in docs/architecture.md ("Adding a component") compiles and plans:
/// Fixtures/CoreBackendComponent.swift is the guide's code block, byte for byte, compiled
/// into this test target.
@Suite("The add-a-component guide in docs/architecture.md")
struct ComponentGuideTests {
    static func swiftBlocks(_ markdown: String) -> [String] {
        markdown.matches(of: /```swift\n((?:.|\n)*?)```/).map { String($0.1) }
    }

    @Test("the guide's Swift code is the compiled fixture")
    func guideMatchesFixture() throws {
        let blocks = Self.swiftBlocks(try Repository.read("docs/architecture.md"))
        let fixture = try Repository.read("Tests/DocsTests/Fixtures/CoreBackendComponent.swift")
        #expect(blocks == [fixture], "update Tests/DocsTests/Fixtures/CoreBackendComponent.swift with the guide's code")
    }

    @Test("registering the example puts it after its dependencies in the plan")
    func examplePlans() throws {
        let plan = try Plan(components: StackCatalog.all + [CoreBackendComponent()], selecting: nil)
        let position = Dictionary(uniqueKeysWithValues: plan.order.enumerated().map { ($1, $0) })
        let core = try #require(position["core-backend"])
        for dependency in CoreBackendComponent().dependencies {
            let before = try #require(position[dependency], "\(dependency) is not registered")
            #expect(before < core)
        }
        // The guide says `provision plan` shows it in the wave after PostgreSQL, Redis and ingress-nginx.
        func wave(_ id: ComponentID) -> Int? { plan.waves.firstIndex { $0.contains(id) } }
        let dependencyWaves = try CoreBackendComponent().dependencies.map { try #require(wave($0)) }
        #expect(wave("core-backend") == dependencyWaves.max()! + 1)
        #expect(wave("postgres-pgvector") == dependencyWaves.max())
    }
}
