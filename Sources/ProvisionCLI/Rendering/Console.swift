import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command's text goes and where its questions are answered. The standard console
/// writes to standard output and standard error without buffering, one whole line per
/// write, so progress lines from concurrent steps never interleave mid-line and show up
/// at once even when the output is a pipe. Tests inject one that records.
struct Console: Sendable {
    var writeOut: @Sendable (String) -> Void
    var writeError: @Sendable (String) -> Void
    /// Whether standard input is a terminal a person could answer a question on.
    var standardInputIsTerminal: Bool
    /// Reads one answer line, or nil at end of input.
    var readAnswer: @Sendable () -> String?
    /// Whether standard output is a terminal: progress is then a live view, else plain lines.
    var standardOutputIsTerminal = false

    func out(_ text: String = "") { writeOut(Self.line(text)) }
    /// Writes `text` followed by `terminator` exactly (manifests and diffs keep their own newlines).
    func out(_ text: String, terminator: String) { writeOut(text + terminator) }
    func error(_ text: String) { writeError(Self.line(text)) }

    /// Asks a yes/no question on standard error and reads the answer.
    /// Anything but "y" or "yes" is a no, and so is end of input.
    func confirm(_ question: String) -> Bool {
        writeError("\(question) [y/N] ")
        guard let answer = readAnswer() else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }

    private static func line(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

    static let standard = Console(
        writeOut: { try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) },
        writeError: { try? FileHandle.standardError.write(contentsOf: Data($0.utf8)) },
        standardInputIsTerminal: isatty(STDIN_FILENO) == 1,
        readAnswer: { readLine() },
        standardOutputIsTerminal: isatty(STDOUT_FILENO) == 1)
}
