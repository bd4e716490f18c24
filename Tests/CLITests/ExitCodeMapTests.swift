import Foundation
import ProvisionCore
import Testing
import TestSupport
@testable import provision

/// One exit-code map: every kind of Problem has the code README.md's table gives it.
@Suite("exit-code map")
struct ExitCodeMapTests {
    @Test("each Problem kind exits with the README's code for it")
    func kindsMatchTheREADME() throws {
        let readme = try Repository.read("README.md")
        let start = try #require(readme.range(of: "Exit codes, for scripts"), "README.md has no exit-code table")
        let table = readme[start.upperBound...].prefix { $0 != "#" }
        var documented: [Int32: String] = [:]
        for match in table.matches(of: /\n\| (\d+) \| ([^|\n]+) \|/) {
            documented[Int32(match.1)!] = String(match.2)
        }
        let expectedWords: [Problem.Kind: String] = [
            .stepFailed: "a step failed", .usage: "usage error", .preflight: "preflight failed",
            .notImplemented: "not implemented", .clusterBusy: "holds the cluster",
            .stateStore: "state store", .interrupted: "SIGINT", .terminated: "SIGTERM",
        ]
        for kind in Problem.Kind.allCases {
            let code = ProvisionExit.code(for: kind).rawValue
            let row = try #require(documented[code], "README.md has no exit code \(code) (for \(kind))")
            let words = try #require(expectedWords[kind], "add \(kind) to this test and to README.md")
            #expect(row.contains(words), "README.md says `\(row)` for exit \(code), the code of \(kind)")
        }
    }
}
