import Foundation
import TestSupport
import Testing

/// The OpenSpec change of this repository must pass what `openspec validate <id> --strict`
/// enforces. The CLI itself comes from npm, which these machines cannot reach, so
/// ``OpenSpecValidator`` re-implements its structural rules; the negative tests below
/// show that each rule can fail.
@Suite("OpenSpec change structure")
struct OpenSpecStructureTests {
    let validator = OpenSpecValidator()

    @Test("the staging-cluster change passes validate --strict, with no notes or archive advice either")
    func realChangePassesStrict() throws {
        let change = try ChangeFolder(directory: OpenSpecChange.directory)
        let issues = validator.validate(change)
        #expect(issues.isEmpty, "\(issues.map(\.description).joined(separator: "\n"))")
        #expect(OpenSpecValidator.passesStrict(issues))
    }

    @Test("the change has its proposal, design, tasks and one delta per capability")
    func changeHasItsFiles() throws {
        let change = try ChangeFolder(directory: OpenSpecChange.directory)
        #expect(change.proposal != nil)
        #expect(change.design != nil)
        #expect(change.tasks != nil)
        #expect(Set(change.specs.keys) == ["staging-cluster/spec.md", "provisioning-cli/spec.md"])
        #expect(Repository.exists("openspec/config.yaml"))
    }

    @Test("every capability the proposal lists has a delta spec, and no other")
    func proposalNamesTheCapabilities() throws {
        let change = try ChangeFolder(directory: OpenSpecChange.directory)
        let capabilities = MarkdownLines(change.proposal ?? "").section(titled: "Capabilities") ?? ""
        let listed = Set(capabilities.matches(of: /^- `([a-z0-9-]+)`/.anchorsMatchLineEndings()).map { String($0.1) })
        let specs = Set(change.specs.keys.map { String($0.split(separator: "/")[0]) })
        try #require(!listed.isEmpty)
        #expect(listed == specs)
    }

    @Test("every scenario states WHEN and THEN (OpenSpec convention, not enforced by validate)")
    func scenariosUseWhenThen() throws {
        let change = try ChangeFolder(directory: OpenSpecChange.directory)
        try #require(!change.specs.isEmpty)
        for (path, text) in change.specs {
            let delta = DeltaSpec(parsing: text)
            for requirement in delta.added + delta.modified {
                for scenario in requirement.scenarios {
                    let body = scenario.lines.joined(separator: "\n")
                    #expect(body.contains("- **WHEN**"), "\(path): \(scenario.name) has no WHEN")
                    #expect(body.contains("- **THEN**"), "\(path): \(scenario.name) has no THEN")
                }
            }
        }
    }

    // MARK: the checks can fail

    @Test("a minimal well-formed change passes, so the broken samples fail for their own reason")
    func minimalSamplePasses() {
        #expect(validator.validate(Samples.valid).isEmpty)
    }

    @Test("each rule rejects a sample broken in its way", arguments: Samples.broken)
    func brokenSampleFails(_ sample: BrokenSample) {
        let issues = validator.validate(sample.change)
        #expect(issues.contains { $0.check == sample.expected }, "\(issues)")
        // validate --strict fails on its own rules; archive-time advice leaves it passing.
        #expect(OpenSpecValidator.passesStrict(issues) == sample.expected.isArchiveAdvice, "\(issues)")
    }

    @Test("a stray level-3 header is only a note: strict validation still passes")
    func strayHeaderIsANote() {
        var change = Samples.valid
        change.specs["widgets/spec.md"] = Samples.spec.replacingOccurrences(
            of: "## ADDED Requirements\n", with: "## ADDED Requirements\n\n### Widget Requirements\n")
        let issues = validator.validate(change)
        #expect(issues.map(\.check) == [.strayHeader])
        #expect(OpenSpecValidator.passesStrict(issues))
    }

    @Test("headers inside fenced examples are not requirements or scenarios")
    func fencedHeadersAreIgnored() {
        let text = """
            ## ADDED Requirements

            ### Requirement: Example
            The tool SHALL print an example:
            ```markdown
            #### Scenario: not a scenario
            ### Requirement: not a requirement
            ```
            """
        let delta = DeltaSpec(parsing: text)
        #expect(delta.added.map(\.name) == ["Example"])
        #expect(delta.added.first?.scenarios.isEmpty == true)
    }

    @Test("SHALL and MUST count only as whole words")
    func normativeKeywordIsAWholeWord() {
        #expect(OpenSpecValidator.containsShallOrMust("The tool SHALL exit"))
        #expect(OpenSpecValidator.containsShallOrMust("It MUST."))
        #expect(!OpenSpecValidator.containsShallOrMust("MUSTARD and SHALLOW"))
        #expect(!OpenSpecValidator.containsShallOrMust("the tool shall exit"))
    }
}
