import Components
import Foundation
import TestSupport
import ProvisionCore
import Testing

/// The component table in docs/architecture.md lists what `StackCatalog` registers.
@Suite("Component table in docs/architecture.md")
struct ComponentTableTests {
    struct Row: Equatable, CustomStringConvertible {
        var dependencies: Set<String>
        var optional: Bool
        var description: String { "depends on \(dependencies.sorted()), optional: \(optional)" }
    }

    /// Rows `| `id` | `a`, `b` or - | yes/no |`.
    static func documentedRows(_ markdown: String) -> [String: Row] {
        var rows: [String: Row] = [:]
        for line in markdown.components(separatedBy: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3, let id = cells[0].wholeMatch(of: /`([a-z0-9-]+)`/)?.1,
                ["yes", "no"].contains(cells[2])
            else { continue }
            let dependencies = cells[1].matches(of: /`([a-z0-9-]+)`/).map { String($0.1) }
            rows[String(id)] = Row(dependencies: Set(dependencies), optional: cells[2] == "yes")
        }
        return rows
    }

    /// The table lists the built-in components; a component registered later need not be in
    /// it, but every row must say what the catalog says.
    @Test("every component in the table is registered, with its dependencies and optional flag")
    func tableMatchesCatalog() throws {
        let documented = Self.documentedRows(try Repository.read("docs/architecture.md"))
        let registered = Dictionary(uniqueKeysWithValues: StackCatalog.all.map {
            ($0.id.rawValue, Row(dependencies: Set($0.dependencies.map(\.rawValue)), optional: $0.isOptional))
        })
        #expect(!documented.isEmpty, "docs/architecture.md has no component table")
        for (id, row) in documented {
            let actual = try #require(registered[id], "docs/architecture.md lists `\(id)`, which is not registered")
            #expect(row == actual, "docs/architecture.md: `\(id)` \(row), but the catalog says \(actual)")
        }
    }

    /// What the guide's experiment showed: a service registered as docs/architecture.md's
    /// guide says, before its row is written, changes none of the doc checks' components.
    @Test("the built-in components are the table's rows; one registered later is not among them")
    func builtInIsTheTable() throws {
        struct Later: Component {
            let id: ComponentID = "later-service"
            let summary = "a service a team registers after the docs were written"
            let dependencies: [ComponentID] = ["namespaces"]
            var secrets: [SecretSpec] { [SecretSpec(name: "later-credentials", namespace: "staging-core", keys: [("KEY", .random(length: 8))])] }
        }
        let documented = Set(Self.documentedRows(try Repository.read("docs/architecture.md")).keys)
        #expect(Set(try BuiltInComponents.all().map(\.id.rawValue)) == documented)
        let later = try BuiltInComponents.all(of: StackCatalog.all + [Later()]).map(\.id)
        #expect(later == (try BuiltInComponents.all().map(\.id)))
    }

    @Test("component ids the README lists exist")
    func readmeNamesRealComponents() throws {
        let readme = try Repository.read("README.md")
        let sentence = try #require(readme.firstMatch(of: /Components \(((?:.|\n)*?)\) declare/)?.1)
        let named = sentence.matches(of: /`([a-z0-9-]+)`/).map { ComponentID(String($0.1)) }
        #expect(!named.isEmpty)
        for id in named { #expect(StackCatalog.component(id) != nil, "README.md names `\(id)`, which is not registered") }
    }

    @Test("the table reader sees a wrong dependency")
    func readerSeesDifferences() {
        let rows = Self.documentedRows("| `redis` | `namespaces` | no |\n| `x` | - | yes |")
        #expect(rows == ["redis": Row(dependencies: ["namespaces"], optional: false), "x": Row(dependencies: [], optional: true)])
        #expect(rows["redis"] != Row(dependencies: ["namespaces", "storage"], optional: false))
    }
}
