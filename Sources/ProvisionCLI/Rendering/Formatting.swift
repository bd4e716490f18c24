import Foundation

/// How durations, times and tables look in `provision`'s output.
public enum Format {
    /// "350ms", "4.2s", "1m 05s", "1h 02m".
    static func duration(_ value: Duration) -> String {
        let (seconds, attoseconds) = value.components
        return duration(seconds: Double(seconds) + Double(attoseconds) / 1e18)
    }

    static func duration(seconds total: Double) -> String {
        if total < 1 { return "\(Int((total * 1000).rounded()))ms" }
        if total < 60 { return String(format: "%.1fs", total) }
        let whole = Int(total.rounded())
        if whole < 3600 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
        return String(format: "%dh %02dm", whole / 3600, (whole % 3600) / 60)
    }

    /// Local time, to the second: what a person compares with their clock.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// The first line of `text`, cut to `limit` characters with an ellipsis, between words
    /// (mid-word only when one word is longer than half the limit).
    static func summary(_ text: String, limit: Int = 60) -> String {
        let firstLine = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > limit else { return trimmed }
        let room = trimmed.prefix(limit - 1)
        if let space = room.lastIndex(of: " "), room.distance(from: room.startIndex, to: space) >= limit / 2 {
            return String(room[..<space]).trimmingCharacters(in: CharacterSet(charactersIn: " ,;:")) + " …"
        }
        return String(room) + "…"
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded.
    public static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let columns = header.count
        var widths = Array(repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() where index < columns {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == columns - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
