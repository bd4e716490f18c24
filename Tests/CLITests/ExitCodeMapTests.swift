import ProvisionCore
import Testing
@testable import ProvisionCLI

/// One exit-code map: every kind of Problem exits with a code that ``ProvisionExit/meanings``
/// explains (README.md's table and `provision --help` are rendered from it).
@Suite("exit-code map")
struct ExitCodeMapTests {
    @Test("each Problem kind exits with a code that has a meaning; each code is listed once")
    func everyKindHasAMeaning() {
        let codes = ProvisionExit.meanings.map(\.code.rawValue)
        #expect(Set(codes).count == codes.count, "\(codes)")
        for kind in Problem.Kind.allCases {
            #expect(codes.contains(ProvisionExit.code(for: kind).rawValue), "\(kind) exits with a code --help does not explain")
        }
    }

    @Test("help lines wrap under their first column")
    func wrapping() {
        let lines = HelpText.wrapped(String(repeating: "word ", count: 30), first: "  3    ")
        #expect(lines.count > 1 && lines.allSatisfy { $0.count <= HelpText.width })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("       word") })
    }
}
