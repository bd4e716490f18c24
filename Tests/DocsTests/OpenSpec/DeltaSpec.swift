import Foundation

/// One `### Requirement: <name>` block of a delta spec, header line included.
struct RequirementBlock: Equatable {
    var name: String
    var lines: [String]

    /// The lines after the header.
    var body: [String] { Array(lines.dropFirst()) }

    /// The requirement statement: non-blank body lines before the first header
    /// (usually the first scenario), outside fences. `**Key**: value` metadata lines
    /// count only when nothing else is there.
    var statement: String {
        let body = MarkdownLines(lines: self.body)
        var text: [String] = []
        var metadata: [String] = []
        for (index, line) in body.lines.enumerated() where !body.fenced[index] {
            if line.prefixMatch(of: /#{1,6}\s/) != nil { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.wholeMatch(of: /\*\*[^*]+\*\*:.*/) != nil {
                metadata.append(trimmed)
            } else {
                text.append(trimmed)
            }
        }
        return (text.isEmpty ? metadata : text).joined(separator: "\n")
    }

    /// Scenarios are the level-4 headers of the block outside fences.
    var scenarios: [(name: String, lines: [String])] {
        let body = MarkdownLines(lines: self.body)
        var result: [(name: String, lines: [String])] = []
        for (index, line) in body.lines.enumerated() where !body.fenced[index] {
            if line.prefixMatch(of: /####\s/) != nil {
                let title = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
                result.append((title.replacing(/^(?i:scenario):\s*/, with: ""), []))
            } else if !result.isEmpty {
                result[result.count - 1].lines.append(line)
            }
        }
        return result
    }
}

/// A level-3 header inside ADDED or MODIFIED that is not a requirement header.
/// OpenSpec reads past it and reports it for information only.
struct StrayHeader: Equatable {
    var title: String
    var section: String
}

/// What a delta spec file (`specs/<capability>/spec.md`) asks to change.
struct DeltaSpec {
    var added: [RequirementBlock] = []
    var modified: [RequirementBlock] = []
    var removed: [String] = []
    var renamed: [(from: String, to: String)] = []
    var strayHeaders: [StrayHeader] = []
    /// Delta section titles present, even when empty.
    var sectionsPresent: [String] = []
    /// The `## Purpose` text a new capability carries, when present.
    var purpose: String?

    var entryCount: Int { added.count + modified.count + removed.count + renamed.count }

    static let operations = ["ADDED", "MODIFIED", "REMOVED", "RENAMED"]

    init(parsing text: String) {
        let markdown = MarkdownLines(text)
        purpose = markdown.section(titled: "Purpose")
        let sections = Self.topLevelSections(markdown)
        for operation in Self.operations {
            let wanted = "\(operation) Requirements".lowercased()
            // Like OpenSpec, a repeated title keeps the last section of that name.
            guard let section = sections.last(where: { $0.title.lowercased() == wanted }) else { continue }
            sectionsPresent.append("## \(operation) Requirements")
            switch operation {
            case "ADDED": added = Self.requirementBlocks(section.body, section: section.title, stray: &strayHeaders)
            case "MODIFIED": modified = Self.requirementBlocks(section.body, section: section.title, stray: &strayHeaders)
            case "REMOVED": removed = Self.removedNames(section.body)
            default: renamed = Self.renamedPairs(section.body)
            }
        }
    }

    /// Matches `### Requirement: <name>` (case-insensitive keyword) and returns the name.
    static func requirementName(_ line: String) -> String? {
        guard let match = line.wholeMatch(of: /###\s*(?i:requirement):\s*(.+)/) else { return nil }
        let name = match.1.trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : name
    }

    private static func topLevelSections(_ markdown: MarkdownLines) -> [(title: String, body: MarkdownLines)] {
        var starts: [(title: String, index: Int)] = []
        for (index, line) in markdown.lines.enumerated() where !markdown.fenced[index] {
            if let header = MarkdownLines.header(line), header.level == 2 { starts.append((header.title, index)) }
        }
        return starts.enumerated().map { position, start in
            let end = position + 1 < starts.count ? starts[position + 1].index : markdown.lines.count
            return (start.title, MarkdownLines(lines: Array(markdown.lines[(start.index + 1)..<end])))
        }
    }

    private static func requirementBlocks(
        _ body: MarkdownLines, section: String, stray: inout [StrayHeader]
    ) -> [RequirementBlock] {
        var blocks: [RequirementBlock] = []
        for (index, line) in body.lines.enumerated() {
            let isCode = body.fenced[index]
            if !isCode, let name = requirementName(line) {
                blocks.append(RequirementBlock(name: name, lines: [line]))
                continue
            }
            if !isCode, let header = MarkdownLines.header(line), header.level == 3 {
                stray.append(StrayHeader(title: header.title, section: section))
            }
            if !blocks.isEmpty { blocks[blocks.count - 1].lines.append(line) }
        }
        return blocks
    }

    private static func removedNames(_ body: MarkdownLines) -> [String] {
        body.lines.enumerated().compactMap { index, line in
            guard !body.fenced[index] else { return nil }
            if let name = requirementName(line) { return name }
            if let match = line.wholeMatch(of: /\s*-\s*`?###\s*(?i:requirement):\s*(.+?)`?\s*/) {
                return match.1.trimmingCharacters(in: .whitespaces)
            }
            return nil
        }
    }

    private static func renamedPairs(_ body: MarkdownLines) -> [(from: String, to: String)] {
        var pairs: [(from: String, to: String)] = []
        var from: String?
        for (index, line) in body.lines.enumerated() where !body.fenced[index] {
            if let match = line.wholeMatch(of: /\s*-?\s*FROM:\s*`?###\s*(?i:requirement):\s*(.+?)`?\s*/) {
                from = match.1.trimmingCharacters(in: .whitespaces)
            } else if let match = line.wholeMatch(of: /\s*-?\s*TO:\s*`?###\s*(?i:requirement):\s*(.+?)`?\s*/),
                let source = from
            {
                pairs.append((source, match.1.trimmingCharacters(in: .whitespaces)))
                from = nil
            }
        }
        return pairs
    }
}
