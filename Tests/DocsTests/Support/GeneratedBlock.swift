import Foundation
import Testing
import TestSupport

/// A part of a Markdown file generated from the code, between two marker lines:
///
///     <!-- generated: NAME (Tests/DocsTests/GeneratedBlockTests.swift) -->
///     ...
///     <!-- end generated: NAME -->
///
/// The docs hold the rendered text so they read on their own; the code holds the fact. To
/// regenerate every block after changing the code, run the docs tests with
/// `PROVISION_REGENERATE_DOCS=1`, or copy the block a failure prints.
struct GeneratedBlock {
    var file: String
    var name: String

    var begin: String { "<!-- generated: \(name) (Tests/DocsTests/GeneratedBlockTests.swift) -->\n" }
    var end: String { "<!-- end generated: \(name) -->" }

    /// The text between the markers, or nil when the file lacks them.
    func documented(in text: String) -> Range<String.Index>? {
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { return nil }
        return start.upperBound..<stop.lowerBound
    }

    /// Records an issue unless the block is `rendered` (plus its final newline); rewrites the
    /// block instead when asked to regenerate.
    func expect(equals rendered: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Repository.file(file)
        var text = try String(contentsOf: url, encoding: .utf8)
        let range = try #require(documented(in: text), "\(file) has no block `\(begin)`…`\(end)`", sourceLocation: sourceLocation)
        let expected = rendered + "\n"
        if ProcessInfo.processInfo.environment["PROVISION_REGENERATE_DOCS"] == "1" {
            text.replaceSubrange(range, with: expected)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(text[range]) == expected, """
            \(file): the block `\(name)` is not what the code gives; run the docs tests with \
            PROVISION_REGENERATE_DOCS=1, or replace it with:
            \(rendered)
            """, sourceLocation: sourceLocation)
    }
}
