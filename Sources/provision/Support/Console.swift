import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to standard output and standard error without buffering, one whole line per
/// write, so progress lines from concurrent steps never interleave mid-line and show up
/// at once even when the output is a pipe.
enum Console {
    static func out(_ text: String = "") {
        write(text, to: FileHandle.standardOutput)
    }

    static func error(_ text: String) {
        write(text, to: FileHandle.standardError)
    }

    private static func write(_ text: String, to handle: FileHandle) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        try? handle.write(contentsOf: Data(line.utf8))
    }

    /// Whether standard input is a terminal a person could answer a question on.
    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks a yes/no question on standard error and reads the answer from standard input.
    /// Anything but "y" or "yes" is a no, and so is end of input.
    static func confirm(_ question: String) -> Bool {
        try? FileHandle.standardError.write(contentsOf: Data("\(question) [y/N] ".utf8))
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
