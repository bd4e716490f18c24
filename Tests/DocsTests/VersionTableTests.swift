import Backends
import Foundation
import Testing
import TestSupport

/// `provision --help` speaks to users: the oldest version of each tool and where to get it.
/// How each was tested is docs/kubernetes-setup.md's (generated from the same table,
/// GeneratedBlockTests).
@Suite("the version table")
struct VersionTableTests {
    @Test("provision --help names each minimum and where to get the tool, not how it was tested")
    func help() async throws {
        let help = try await ProvisionBinary.run(["--help"])
        #expect(help.status == 0)
        let flattened = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        func flat(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        for requirement in ToolRequirements.all {
            #expect(flattened.contains(flat("\(requirement.tool) \(requirement.minimum) \(requirement.install)")), "\(requirement.tool) in --help")
            #expect(!flattened.contains(flat(requirement.tested)), "\(requirement.tool): --help says how it was tested")
        }
        #expect(help.output.contains("libsqlite3-dev"))
    }
}
