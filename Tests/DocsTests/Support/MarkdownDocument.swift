import Foundation
import TestSupport

/// What the documentation tests need from a Markdown file: its anchors, its links and
/// its code (fenced blocks and inline spans).
struct MarkdownDocument {
    /// Path relative to the repository root, e.g. `docs/architecture.md`.
    let path: String
    let markdown: MarkdownLines

    init(path: String, text: String) {
        self.path = path
        self.markdown = MarkdownLines(text)
    }

    init(path: String) throws {
        self.init(path: path, text: try Repository.read(path))
    }

    /// Anchors GitHub generates for the headings, plus explicit `<a id="…">` / `<a name="…">`.
    var anchors: Set<String> {
        var seen: [String: Int] = [:]
        var result: Set<String> = []
        for (index, line) in markdown.lines.enumerated() where !markdown.fenced[index] {
            if let header = MarkdownLines.header(line) {
                let base = Self.slug(header.title)
                let count = seen[base, default: 0]
                seen[base] = count + 1
                result.insert(count == 0 ? base : "\(base)-\(count)")
            }
            for match in line.matches(of: /<a\s+(?:id|name)="([^"]+)"/) { result.insert(String(match.1)) }
        }
        return result
    }

    /// GitHub's heading slug: the rendered text in lower case, punctuation other than `-` and `_`
    /// removed, each space turned into a hyphen.
    static func slug(_ heading: String) -> String {
        var text = heading.replacing(/\[([^\]]*)\]\([^)]*\)/) { String($0.1) }  // links keep their text
        text = text.replacing(/[`*]/, with: "").replacing(/\s+#+\s*$/, with: "")  // formatting, closing hashes
        let kept = text.lowercased().unicodeScalars.filter { scalar in
            scalar == " " || scalar == "-" || scalar == "_"
                || CharacterSet.letters.contains(scalar) || CharacterSet.decimalDigits.contains(scalar)
        }
        return String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-")
    }

    struct Link: CustomStringConvertible {
        var target: String
        var line: Int
        var description: String { "line \(line): \(target)" }
    }

    /// Inline links and images `[text](target)` and reference definitions `[id]: target`,
    /// outside fenced blocks and code spans.
    var links: [Link] {
        var result: [Link] = []
        for (index, line) in markdown.lines.enumerated() where !markdown.fenced[index] {
            let prose = line.replacing(/`[^`]*`/, with: "")
            for match in prose.matches(of: /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/) {
                result.append(Link(target: String(match.1), line: index + 1))
            }
            if let match = prose.wholeMatch(of: /\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*/) {
                result.append(Link(target: String(match.1), line: index + 1))
            }
        }
        return result
    }

    /// Links into this repository: no scheme, not a bare e-mail address.
    var relativeLinks: [Link] {
        links.filter { $0.target.firstMatch(of: /^[a-zA-Z][a-zA-Z0-9+.-]*:/) == nil }
    }

    /// Every line of every fenced block, with `$ ` prompts removed, continuation lines
    /// (ending in `\`) joined.
    var codeLines: [String] {
        var result: [String] = []
        var pending = ""
        for (index, line) in markdown.lines.enumerated() where markdown.fenced[index] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { continue }
            var text = trimmed.hasPrefix("$ ") ? String(trimmed.dropFirst(2)) : trimmed
            if text.hasSuffix("\\") {
                text.removeLast()
                pending += text
                continue
            }
            result.append(pending + text)
            pending = ""
        }
        return result
    }

    /// The contents of inline code spans in prose.
    var codeSpans: [String] {
        markdown.lines.enumerated().filter { !markdown.fenced[$0.offset] }.flatMap { _, line in
            line.matches(of: /`([^`]+)`/).map { String($0.1) }
        }
    }
}

/// The documentation files the tests cover.
enum DocumentationSet {
    /// README.md, k8s/README.md, and every Markdown file under docs/ and openspec/.
    static func paths() throws -> [String] {
        var paths = ["README.md", "k8s/README.md"]
        for folder in ["docs", "openspec"] {
            let root = Repository.file(folder)
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "md" {
                let relative = url.standardizedFileURL.path.dropFirst(Repository.root.standardizedFileURL.path.count)
                paths.append(String(relative.drop(while: { $0 == "/" })))
            }
        }
        return paths.sorted()
    }

    static func documents() throws -> [MarkdownDocument] {
        try paths().map { try MarkdownDocument(path: $0) }
    }
}
