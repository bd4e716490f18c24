import Backends
import Testing
@testable import ProvisionCLI

/// Tables in the docs that are generated from the code (``GeneratedBlock``): each block is
/// what its renderer here makes of the one source of the fact.
@Suite("Blocks in the docs generated from the code")
struct GeneratedBlockTests {
    /// README.md's exit codes, from ``ProvisionExit/meanings`` (which `provision --help` prints).
    static var exitCodes: String {
        (["| Code | Meaning |", "| --- | --- |"] + ProvisionExit.meanings.map { "| \($0.code.rawValue) | \($0.meaning) |" })
            .joined(separator: "\n")
    }

    /// docs/kubernetes-setup.md's version table, from ``ToolRequirements``.
    static var versionTable: String {
        (["| Tool | Minimum | Tested with | Install |", "| --- | --- | --- | --- |"]
            + ToolRequirements.all.map { "| \($0.tool) | \($0.minimum) | \($0.tested) | \($0.install) |" })
            .joined(separator: "\n")
    }

    /// README.md's prerequisites, from ``ToolRequirements``: the minimums and where to get each.
    static var prerequisites: String {
        ToolRequirements.all.map { "- \($0.tool) (minimum: \($0.minimum)): \($0.install)" }.joined(separator: "\n")
    }

    @Test("README.md's exit codes are ProvisionExit.meanings")
    func exitCodeTable() throws {
        try GeneratedBlock(file: "README.md", name: "exit codes").expect(equals: Self.exitCodes)
    }

    @Test("docs/kubernetes-setup.md's version table is ToolRequirements")
    func versionTableBlock() throws {
        try GeneratedBlock(file: "docs/kubernetes-setup.md", name: "tool versions").expect(equals: Self.versionTable)
    }

    @Test("README.md's prerequisites are ToolRequirements' minimums")
    func prerequisitesBlock() throws {
        try GeneratedBlock(file: "README.md", name: "prerequisites").expect(equals: Self.prerequisites)
    }

    @Test("a block is found between its markers, and only there")
    func markers() {
        let block = GeneratedBlock(file: "x.md", name: "t")
        let text = "a\n\(block.begin)| 1 |\n\(block.end)\nb"
        #expect(block.documented(in: text).map { String(text[$0]) } == "| 1 |\n")
        #expect(block.documented(in: "a\n\(block.end)\n\(block.begin)") == nil)
    }
}
