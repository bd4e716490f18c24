import Foundation

/// The structural rules of `openspec validate <change> --strict` (OpenSpec 1.10, read from
/// its validator and parsers), re-implemented because the npm registry is out of reach here.
/// In strict mode a change is valid only with no errors and no warnings; notes never fail it.
///
/// `checkProposal` adds the rules OpenSpec applies to `proposal.md` when it archives a change
/// (Why 50-1000 characters, What Changes present, 1-10 deltas) and the Purpose length a new
/// capability needs so the archived spec passes `validate --strict` later. OpenSpec reports
/// those as non-blocking advice, so they do not decide ``passesStrict(_:)``; this project's
/// own change must still have none of them.
struct OpenSpecValidator {
    enum Level: String { case error, warning, note }

    enum Check: String, CaseIterable {
        // validate <change>
        case specAtSpecsRoot, noDeltaHeaders, emptyDeltaSections, noDeltas
        case duplicateRequirement, missingRequirementText, missingShallOrMust, missingScenario
        case conflictingSections, duplicateRename, strayHeader
        case taskNumbering, invalidMetadata
        // proposal and archive
        case missingProposal, missingWhy, whyLength, missingWhatChanges, tooManyDeltas, purposeTooBrief

        /// Checked when a change is archived (or its spec validated later), not by `validate <change>`.
        var isArchiveAdvice: Bool {
            switch self {
            case .missingProposal, .missingWhy, .whyLength, .missingWhatChanges, .tooManyDeltas, .purposeTooBrief: true
            default: false
            }
        }
    }

    struct Issue: CustomStringConvertible, Equatable {
        var level: Level
        var check: Check
        var path: String
        var message: String
        var description: String { "[\(level.rawValue)] \(path): \(message) (\(check.rawValue))" }
    }

    static let minimumWhyLength = 50
    static let maximumWhyLength = 1000
    static let maximumDeltas = 10
    static let minimumPurposeLength = 50
    /// Workflow schemas an OpenSpec install ships; `.openspec.yaml` must name one.
    static let knownSchemas: Set<String> = ["spec-driven"]

    var checkProposal = true

    func validate(_ change: ChangeFolder) -> [Issue] {
        var issues = deltaIssues(change)
        issues += taskNumberingIssues(change.tasks ?? "")
        issues += metadataIssues(change.metadata)
        if checkProposal { issues += proposalIssues(change) }
        return issues
    }

    /// What `validate <change> --strict` decides: errors and warnings fail, notes and
    /// archive-time advice do not.
    static func passesStrict(_ issues: [Issue]) -> Bool {
        !issues.contains { $0.level != .note && !$0.check.isArchiveAdvice }
    }

    // MARK: spec deltas

    private func deltaIssues(_ change: ChangeFolder) -> [Issue] {
        var issues: [Issue] = []
        var total = 0
        if change.specs["spec.md"] != nil {
            issues.append(.init(level: .error, check: .specAtSpecsRoot, path: "specs/spec.md",
                message: "a delta spec directly in specs/ is never applied; move it to specs/<capability>/spec.md"))
        }
        for (path, text) in change.specs.sorted(by: { $0.key < $1.key }) where path != "spec.md" {
            let delta = DeltaSpec(parsing: text)
            let at = "specs/\(path)"
            total += delta.entryCount
            if delta.entryCount == 0 {
                issues.append(delta.sectionsPresent.isEmpty
                    ? .init(level: .error, check: .noDeltaHeaders, path: at,
                        message: "no delta sections; add \"## ADDED Requirements\" (or MODIFIED/REMOVED/RENAMED)")
                    : .init(level: .error, check: .emptyDeltaSections, path: at,
                        message: "\(delta.sectionsPresent.joined(separator: ", ")) found but no \"### Requirement:\" entries parsed"))
            }
            for stray in delta.strayHeaders {
                issues.append(.init(level: .note, check: .strayHeader, path: at,
                    message: "\"### \(stray.title)\" in \(stray.section) is not a requirement header and is ignored"))
            }
            issues += requirementIssues(delta.added, operation: "ADDED", at: at)
            issues += requirementIssues(delta.modified, operation: "MODIFIED", at: at)
            issues += duplicates(delta.removed, in: "REMOVED", at: at)
            issues += duplicates(delta.renamed.map(\.from), in: "RENAMED FROM", at: at, check: .duplicateRename)
            issues += duplicates(delta.renamed.map(\.to), in: "RENAMED TO", at: at, check: .duplicateRename)
            issues += conflicts(delta, at: at)
            if let purpose = delta.purpose, purpose.utf16.count < Self.minimumPurposeLength {
                issues.append(.init(level: .warning, check: .purposeTooBrief, path: at,
                    message: "Purpose has \(purpose.utf16.count) characters; the archived spec needs at least \(Self.minimumPurposeLength)"))
            }
        }
        if total == 0 && change.specs["spec.md"] == nil {
            issues.append(.init(level: .error, check: .noDeltas, path: "specs/",
                message: "the change has no deltas; add specs/<capability>/spec.md with \"## ADDED Requirements\""))
        }
        return issues
    }

    private func requirementIssues(_ blocks: [RequirementBlock], operation: String, at path: String) -> [Issue] {
        var issues = duplicates(blocks.map(\.name), in: operation, at: path)
        for block in blocks {
            let statement = block.statement
            if statement.isEmpty {
                issues.append(.init(level: .error, check: .missingRequirementText, path: path,
                    message: "\(operation) \"\(block.name)\" has no requirement text under its header"))
            } else if !Self.containsShallOrMust(statement) {
                issues.append(.init(level: .warning, check: .missingShallOrMust, path: path,
                    message: "\(operation) \"\(block.name)\" must state SHALL or MUST in its text (the header does not count)"))
            }
            if block.scenarios.isEmpty {
                issues.append(.init(level: .error, check: .missingScenario, path: path,
                    message: "\(operation) \"\(block.name)\" needs at least one \"#### Scenario:\""))
            }
        }
        return issues
    }

    static func containsShallOrMust(_ text: String) -> Bool {
        text.contains(/\b(SHALL|MUST)\b/)
    }

    private func duplicates(_ names: [String], in section: String, at path: String,
                            check: Check = .duplicateRequirement) -> [Issue] {
        var seen: Set<String> = []
        return names.compactMap { name in
            seen.insert(name).inserted ? nil
                : Issue(level: .error, check: check, path: path, message: "duplicate requirement in \(section): \"\(name)\"")
        }
    }

    private func conflicts(_ delta: DeltaSpec, at path: String) -> [Issue] {
        let added = Set(delta.added.map(\.name)), modified = Set(delta.modified.map(\.name))
        let removed = Set(delta.removed), renamedFrom = Set(delta.renamed.map(\.from))
        let renamedTo = Set(delta.renamed.map(\.to))
        let fold = { (name: String) in name.lowercased().replacing(/\s+/, with: " ") }
        var pairs: [(String, Set<String>, Set<String>)] = [
            ("MODIFIED and REMOVED", modified, removed), ("MODIFIED and ADDED", modified, added),
            ("ADDED and REMOVED", added, removed), ("MODIFIED and RENAMED FROM", modified, renamedFrom),
            ("RENAMED TO and ADDED", renamedTo, added),
        ]
        pairs.append(("RENAMED and REMOVED", Set(renamedFrom.map(fold)), Set(removed.map(fold))))
        return pairs.flatMap { label, left, right in
            left.intersection(right).sorted().map {
                Issue(level: .error, check: .conflictingSections, path: path,
                    message: "requirement \"\($0)\" appears in both \(label)")
            }
        }
    }

    // MARK: tasks.md

    /// Inside `## N.` groups, a task whose text starts with an id like `3.2` must belong to
    /// group N and appear once. Files without numbered groups are not checked.
    func taskNumberingIssues(_ tasks: String) -> [Issue] {
        let lines = tasks.components(separatedBy: "\n")
        let groupHeading = /\ {0,3}##[ \t]+(\d+)\.(?:[ \t].*|\r?)/
        guard lines.contains(where: { $0.wholeMatch(of: groupHeading) != nil }) else { return [] }
        var issues: [Issue] = []
        var group: String?
        var firstLine: [String: Int] = [:]
        for (index, line) in lines.enumerated() {
            if line.wholeMatch(of: /\ {0,3}##(?:[ \t].*|[ \t]*\r?)/) != nil {
                group = line.wholeMatch(of: groupHeading).map { String($0.1) }
            }
            guard let current = group,
                let task = line.firstMatch(of: /^\s*[-*]\s*\[[\sxX]\]\s*(.*)/),
                let id = String(task.1).prefixMatch(of: /(\d+(?:\.\d+)+[A-Za-z]*)(?=\s|$)/)?.1
            else { continue }
            let number = index + 1
            let leading = String(id.split(separator: ".")[0])
            if Int(leading) != Int(current) {
                issues.append(.init(level: .warning, check: .taskNumbering, path: "tasks.md",
                    message: "line \(number): task \(id) is under group \(current) but numbered for group \(leading)"))
            }
            if let first = firstLine[String(id)] {
                issues.append(.init(level: .warning, check: .taskNumbering, path: "tasks.md",
                    message: "line \(number): task id \(id) already used on line \(first)"))
            } else {
                firstLine[String(id)] = number
            }
        }
        return issues
    }

    // MARK: .openspec.yaml

    private func metadataIssues(_ metadata: String?) -> [Issue] {
        guard let metadata else { return [] }
        var values: [String: String] = [:]
        for line in metadata.components(separatedBy: "\n") {
            guard let match = line.wholeMatch(of: /([a-z_]+):\s*(.*?)\s*/) else { continue }
            values[String(match.1)] = String(match.2).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        var issues: [Issue] = []
        if let schema = values["schema"], !schema.isEmpty {
            if !Self.knownSchemas.contains(schema) {
                issues.append(.init(level: .error, check: .invalidMetadata, path: ".openspec.yaml",
                    message: "unknown schema '\(schema)'; use one of \(Self.knownSchemas.sorted())"))
            }
        } else {
            issues.append(.init(level: .error, check: .invalidMetadata, path: ".openspec.yaml",
                message: "schema is required (e.g. `schema: spec-driven`)"))
        }
        if let created = values["created"], created.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) == nil {
            issues.append(.init(level: .error, check: .invalidMetadata, path: ".openspec.yaml",
                message: "created must be YYYY-MM-DD, found '\(created)'"))
        }
        return issues
    }

    // MARK: proposal.md

    private func proposalIssues(_ change: ChangeFolder) -> [Issue] {
        guard let proposal = change.proposal else {
            return [.init(level: .error, check: .missingProposal, path: "proposal.md", message: "proposal.md is missing")]
        }
        var issues: [Issue] = []
        let markdown = MarkdownLines(proposal)
        if let why = markdown.section(titled: "Why"), !why.isEmpty {
            let length = why.utf16.count
            if length < Self.minimumWhyLength || length > Self.maximumWhyLength {
                issues.append(.init(level: .error, check: .whyLength, path: "proposal.md",
                    message: "Why has \(length) characters; it must have \(Self.minimumWhyLength)-\(Self.maximumWhyLength)"))
            }
        } else {
            issues.append(.init(level: .error, check: .missingWhy, path: "proposal.md", message: "add a non-empty \"## Why\" section"))
        }
        if (markdown.section(titled: "What Changes") ?? "").isEmpty {
            issues.append(.init(level: .error, check: .missingWhatChanges, path: "proposal.md",
                message: "add a non-empty \"## What Changes\" section"))
        }
        let deltas = change.specs.filter { $0.key != "spec.md" }.values.map { DeltaSpec(parsing: $0).entryCount }.reduce(0, +)
        if deltas > Self.maximumDeltas {
            issues.append(.init(level: .error, check: .tooManyDeltas, path: "specs/",
                message: "\(deltas) deltas; OpenSpec accepts at most \(Self.maximumDeltas) per change, split it"))
        }
        return issues
    }
}
