import Foundation

/// Markdown text split into lines, with the lines inside fenced code blocks marked,
/// because OpenSpec ignores headers and checkboxes that only appear in examples.
struct MarkdownLines {
    let lines: [String]
    /// `true` for every line of a fenced block, the fence lines included.
    let fenced: [Bool]

    init(_ text: String) {
        self.init(lines: Self.normalized(text).components(separatedBy: "\n"))
    }

    init(lines: [String]) {
        self.lines = lines
        self.fenced = Self.fenceMask(lines)
    }

    /// Drops a byte-order mark and turns CRLF / CR into LF, as OpenSpec does before parsing.
    static func normalized(_ text: String) -> String {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// A fence opens with three or more backticks or tildes and closes with a run of
    /// the same character at least as long, alone on its line.
    static func fenceMask(_ lines: [String]) -> [Bool] {
        var mask = Array(repeating: false, count: lines.count)
        var open: (marker: Character, length: Int)?
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop(while: \.isWhitespace)
            let run = fenceRun(trimmed)
            if let current = open {
                mask[index] = true
                if let run, run.marker == current.marker, run.length >= current.length,
                    trimmed.dropFirst(run.length).allSatisfy(\.isWhitespace)
                {
                    open = nil
                }
            } else if let run {
                mask[index] = true
                open = run
            }
        }
        return mask
    }

    private static func fenceRun(_ text: Substring) -> (marker: Character, length: Int)? {
        guard let first = text.first, first == "`" || first == "~" else { return nil }
        let length = text.prefix(while: { $0 == first }).count
        return length >= 3 ? (first, length) : nil
    }

    /// Level and title of an ATX header line (`## Title`), or nil.
    static func header(_ line: String) -> (level: Int, title: String)? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard let space = rest.first, space == " " || space == "\t" else { return nil }
        let title = rest.trimmingCharacters(in: .whitespaces)
        return title.isEmpty ? nil : (hashes, title)
    }

    /// The trimmed body of the first section titled `title` (case-insensitive, any level),
    /// up to the next header of the same or a higher level. Nil when there is no such section.
    func section(titled title: String) -> String? {
        for index in lines.indices where !fenced[index] {
            guard let header = Self.header(lines[index]),
                header.title.lowercased() == title.lowercased()
            else { continue }
            var body: [String] = []
            for next in lines.indices.dropFirst(index + 1) {
                if !fenced[next], let other = Self.header(lines[next]), other.level <= header.level { break }
                body.append(lines[next])
            }
            return body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }
}
