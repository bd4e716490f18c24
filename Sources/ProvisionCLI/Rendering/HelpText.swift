import Backends

/// Tables in `provision --help`, rendered from the one source of each fact. ArgumentParser
/// wraps a discussion line longer than 80 columns flush left, so these wrap themselves.
enum HelpText {
    static let width = 78

    /// `text` after `first`, continued on lines indented as far as `first` is long.
    static func wrapped(_ text: String, first: String) -> [String] {
        let indent = String(repeating: " ", count: first.count)
        var lines: [String] = []
        var line = first
        var empty = true
        for word in text.split(separator: " ") {
            if !empty, line.count + 1 + word.count > width {
                lines.append(line)
                line = indent
                empty = true
            }
            line += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(line)
        return lines
    }

    /// What each tool must be at least and where to get it; how it was tested is in
    /// docs/kubernetes-setup.md, not here.
    static var requirements: String {
        var lines = ["REQUIREMENTS (the oldest version accepted; where to get it):"]
        for requirement in ToolRequirements.all {
            let first = "  " + requirement.tool.padding(toLength: 9, withPad: " ", startingAt: 0)
            lines += wrapped(requirement.minimum, first: first)
            lines += wrapped(requirement.install, first: String(repeating: " ", count: first.count))
        }
        lines += wrapped("Linux builds also need the SQLite and zlib headers: libsqlite3-dev, zlib1g-dev.", first: "  ")
        return lines.joined(separator: "\n")
    }
}
