import Foundation
import Testing

/// A change folder broken in exactly one way, and the rule that must catch it.
struct BrokenSample: Sendable, CustomTestStringConvertible {
    var name: String
    var expected: OpenSpecValidator.Check
    var change: ChangeFolder
    var testDescription: String { name }
}

/// In-memory change folders for the negative tests.
enum Samples {
    static let proposal = """
        # Add widgets

        ## Why

        Operators need widgets to see the state of the cluster at a glance, today they read logs.

        ## What Changes

        - Adds a widget list to the tool.

        ## Capabilities

        ### New Capabilities

        - `widgets`: listing widgets.
        """

    static let spec = """
        ## Purpose

        Lets operators list the widgets of a cluster from the command line.

        ## ADDED Requirements

        ### Requirement: List widgets
        The tool SHALL list every widget with its state.

        #### Scenario: Widgets exist
        - **WHEN** the operator runs `tool widgets`
        - **THEN** each widget is printed on its own line
        """

    static let tasks = """
        ## 1. Widgets

        - [x] 1.1 Add the widget list. Verified: unit tests.
        - [ ] 1.2 Document it. Open: docs pending.
        """

    static let valid = ChangeFolder(
        id: "add-widgets", proposal: proposal, design: "## Context\n\nNone.", tasks: tasks,
        metadata: "schema: spec-driven\ncreated: 2025-11-11\n", specs: ["widgets/spec.md": spec])

    static func with(_ transform: (inout ChangeFolder) -> Void) -> ChangeFolder {
        var change = valid
        transform(&change)
        return change
    }

    static func specReplacing(_ old: String, _ new: String) -> ChangeFolder {
        with { $0.specs["widgets/spec.md"] = spec.replacingOccurrences(of: old, with: new) }
    }

    static let requirement = """
        ### Requirement: List widgets
        The tool SHALL list every widget with its state.

        #### Scenario: Widgets exist
        - **WHEN** the operator runs `tool widgets`
        - **THEN** each widget is printed on its own line
        """

    static let broken: [BrokenSample] = [
        .init(name: "spec.md directly under specs/", expected: .specAtSpecsRoot,
              change: with { $0.specs = ["spec.md": spec] }),
        .init(name: "delta file without delta headers", expected: .noDeltaHeaders,
              change: specReplacing("## ADDED Requirements", "## Requirements")),
        .init(name: "ADDED section without requirement entries", expected: .emptyDeltaSections,
              change: specReplacing("### Requirement: List widgets", "### List widgets")),
        .init(name: "no specs folder at all", expected: .noDeltas, change: with { $0.specs = [:] }),
        .init(name: "requirement with three-hash scenario header", expected: .missingScenario,
              change: specReplacing("#### Scenario:", "### Scenario:")),
        .init(name: "requirement with bullet scenario", expected: .missingScenario,
              change: specReplacing("#### Scenario: Widgets exist", "- Scenario: Widgets exist")),
        .init(name: "requirement text without SHALL or MUST", expected: .missingShallOrMust,
              change: specReplacing("The tool SHALL list", "The tool lists")),
        .init(name: "SHALL only in the header", expected: .missingRequirementText,
              change: specReplacing("### Requirement: List widgets\nThe tool SHALL list every widget with its state.\n",
                                    "### Requirement: The tool SHALL list widgets\n")),
        .init(name: "same requirement added twice", expected: .duplicateRequirement,
              change: with { $0.specs["widgets/spec.md"] = spec + "\n\n" + requirement }),
        .init(name: "requirement both added and removed", expected: .conflictingSections,
              change: with { $0.specs["widgets/spec.md"] = spec + "\n\n## REMOVED Requirements\n\n- `### Requirement: List widgets`\n" }),
        .init(name: "requirement renamed twice from one name", expected: .duplicateRename,
              change: with {
                  $0.specs["widgets/spec.md"] = spec + """


                      ## RENAMED Requirements

                      - FROM: `### Requirement: Old`
                      - TO: `### Requirement: New A`
                      - FROM: `### Requirement: Old`
                      - TO: `### Requirement: New B`
                      """
              }),
        .init(name: "task numbered for another group", expected: .taskNumbering,
              change: with { $0.tasks = tasks.replacingOccurrences(of: "1.2 Document", with: "2.2 Document") }),
        .init(name: "task id used twice", expected: .taskNumbering,
              change: with { $0.tasks = tasks.replacingOccurrences(of: "1.2 Document", with: "1.1 Document") }),
        .init(name: "metadata with an unknown schema", expected: .invalidMetadata,
              change: with { $0.metadata = "schema: waterfall\n" }),
        .init(name: "metadata with a malformed date", expected: .invalidMetadata,
              change: with { $0.metadata = "schema: spec-driven\ncreated: 11/11/2025\n" }),
        .init(name: "no proposal.md", expected: .missingProposal, change: with { $0.proposal = nil }),
        .init(name: "proposal without Why", expected: .missingWhy,
              change: with { $0.proposal = proposal.replacingOccurrences(of: "## Why", with: "## Motivation") }),
        .init(name: "Why shorter than 50 characters", expected: .whyLength,
              change: with {
                  $0.proposal = proposal.replacingOccurrences(
                      of: "Operators need widgets to see the state of the cluster at a glance, today they read logs.",
                      with: "Widgets help.")
              }),
        .init(name: "Why longer than 1000 characters", expected: .whyLength,
              change: with {
                  $0.proposal = proposal.replacingOccurrences(
                      of: "today they read logs.", with: String(repeating: "today they read logs. ", count: 50))
              }),
        .init(name: "proposal without What Changes", expected: .missingWhatChanges,
              change: with { $0.proposal = proposal.replacingOccurrences(of: "## What Changes", with: "## Changes") }),
        .init(name: "eleven deltas in one change", expected: .tooManyDeltas,
              change: with {
                  let many = (1...11).map { requirement.replacingOccurrences(of: "List widgets", with: "List widgets \($0)") }
                  $0.specs["widgets/spec.md"] = "## ADDED Requirements\n\n" + many.joined(separator: "\n\n")
              }),
        .init(name: "Purpose of a new capability too brief", expected: .purposeTooBrief,
              change: specReplacing("Lets operators list the widgets of a cluster from the command line.", "Widgets.")),
    ]
}
