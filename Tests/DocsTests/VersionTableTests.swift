import Backends
import Foundation
import Testing
import TestSupport

/// One table of minimum and tested versions: the code's (`ToolRequirements`), the one in
/// docs/kubernetes-setup.md, `provision --help`, and the README's prerequisites agree.
@Suite("the version table")
struct VersionTableTests {
    @Test("docs/kubernetes-setup.md's prerequisites table is ToolRequirements, row for row")
    func docsTable() throws {
        let text = try Repository.read("docs/kubernetes-setup.md")
        let start = try #require(text.range(of: "| Tool | Minimum | Tested with |"), "no version table")
        let rows = text[start.lowerBound...].split(separator: "\n").prefix { $0.hasPrefix("|") }.dropFirst(2)
        let documented = rows.map { row in
            row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(documented.count == ToolRequirements.all.count, "\(documented)")
        for (requirement, row) in zip(ToolRequirements.all, documented) {
            #expect(row[1] == requirement.tool, "\(row)")
            #expect(row[2] == requirement.minimum, "\(requirement.tool): the docs say \(row[2])")
            #expect(row[3] == requirement.tested, "\(requirement.tool): the docs say \(row[3])")
        }
    }

    @Test("provision --help prints the same table; the README names each minimum and libsqlite3-dev")
    func helpAndReadme() async throws {
        let help = try await ProvisionBinary.run(["--help"])
        #expect(help.status == 0)
        let flattened = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for requirement in ToolRequirements.all {
            #expect(flattened.contains("\(requirement.tool) \(requirement.minimum); \(requirement.tested)"
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")), "\(requirement.tool) in --help")
        }
        #expect(help.output.contains("libsqlite3-dev"))
        let readme = try Repository.read("README.md")
        let prerequisites = try #require(readme.range(of: "## Prerequisites")).upperBound
        let section = readme[prerequisites...].prefix { $0 != "#" }
        for needed in ["kind v0.33.0", "kubectl \(ToolRequirements.kubectl.minimum.prefix { $0 != " " })", "Swift 6.3", "libsqlite3-dev", "Docker"] {
            #expect(section.contains(needed), "README's prerequisites lack \(needed)")
        }
        #expect(ToolRequirements.kind.minimum == "v0.33.0" && ToolRequirements.kubectl.minimum.hasPrefix("v1.36"))
    }
}
