import Foundation
import TestSupport
import Testing

/// Every `kubectl …` shown in the docs names a real kubectl command with real flags, read from
/// `kubectl <command> --help` and `kubectl options` (no cluster needed).
@Suite("kubectl commands shown in the documentation", .serialized)
struct KubectlCommandTests {
    /// Flags a help text lists, with whether each takes a value (`--all=false:` does not).
    static func flags(inHelp help: String) -> [String: Bool] {
        var flags: [String: Bool] = [:]
        for line in help.components(separatedBy: "\n") {
            guard let match = line.wholeMatch(of: /\s+(?:(-[A-Za-z]), )?(--[a-z0-9-]+)=(.*):/) else { continue }
            let takesValue = match.3 != "true" && match.3 != "false"
            flags[String(match.2)] = takesValue
            if let short = match.1 { flags[String(short)] = takesValue }
        }
        return flags
    }

    /// Subcommands listed in a help text's command sections (`  status        Show …`).
    static func subcommands(inHelp help: String) -> Set<String> {
        Set(help.components(separatedBy: "\n").compactMap { line in
            line.wholeMatch(of: /\ \ ([a-z][a-z0-9-]*)\ {2,}\S.*/).map { String($0.1) }
        })
    }

    final class Help: @unchecked Sendable {
        private var cache: [String: String] = [:]
        func text(_ path: [String]) async throws -> String {
            let key = path.joined(separator: " ")
            if let cached = cache[key] { return cached }
            let outcome = try await Shell.run("kubectl", path.isEmpty ? ["options"] : path + ["--help"])
            guard outcome.status == 0 else { throw HelpFailed(path: key, outcome: outcome) }
            cache[key] = outcome.output
            return outcome.output
        }
    }

    struct HelpFailed: Error, CustomStringConvertible {
        var path: String
        var outcome: Shell.Outcome
        var description: String { "kubectl \(path) --help failed (not a kubectl command?):\n\(outcome)" }
    }

    /// Problems with one shell line that starts with `kubectl`; empty when it is valid.
    static func problems(in line: String, help: Help) async throws -> [String] {
        var words = line.split(separator: " ").map(String.init)
        guard words.first == "kubectl" else { return [] }
        words.removeFirst()
        if let end = words.firstIndex(where: { ["|", "||", "&&", ";", ">", "--", "#"].contains($0) || $0.hasPrefix("#") }) {
            words = Array(words[..<end])
        }
        let global = flags(inHelp: try await help.text([]))
        var path: [String] = []
        var flagWords: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("-") {
                flagWords.append(word)
                let name = String(word.split(separator: "=", maxSplits: 1)[0])
                // A global flag's value must not be mistaken for the command.
                if !word.contains("="), path.isEmpty, global[name] == true { index += 1 }
            } else if path.isEmpty {
                path = [word]
            } else if subcommands(inHelp: try await help.text(path)).contains(word) {
                path.append(word)
            }
            index += 1
        }
        guard !path.isEmpty else { return ["kubectl \(line): no command"] }
        let known = global.merging(flags(inHelp: try await help.text(path))) { $1 }
        var problems: [String] = []
        for word in flagWords {
            let name = String(word.split(separator: "=", maxSplits: 1)[0])
            if name.hasPrefix("--") || name.count == 2 {
                if known[name] == nil { problems.append("`\(line)`: kubectl \(path.joined(separator: " ")) has no flag \(name)") }
            } else {  // combined short flags like -it
                for letter in name.dropFirst() where known["-\(letter)"] == nil {
                    problems.append("`\(line)`: kubectl \(path.joined(separator: " ")) has no flag -\(letter)")
                }
            }
        }
        return problems
    }

    static func documentedLines() throws -> [(source: String, line: String)] {
        try DocumentationSet.documents().flatMap { document in
            (document.codeLines + document.codeSpans)
                .filter { $0.hasPrefix("kubectl ") }
                .map { (document.path, $0) }
        }
    }

    @Test("every documented kubectl command and flag exists")
    func documentedCommandsExist() async throws {
        let lines = try Self.documentedLines()
        try #require(lines.count > 10, "expected the docs to show kubectl commands")
        let help = Help()
        var problems: [String] = []
        for (source, line) in lines {
            do {
                problems += try await Self.problems(in: line, help: help).map { "\(source): \($0)" }
            } catch {
                problems.append("\(source): `\(line)`: \(error)")
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("a misspelt command or flag is reported")
    func mistakesAreReported() async throws {
        let help = Help()
        #expect(try await Self.problems(in: "kubectl -n x rollout status deployment/a --timeout=5s", help: help).isEmpty)
        #expect(try await Self.problems(in: "kubectl exec -it -n x pod -- sh -c 'ls --bogus'", help: help).isEmpty)
        #expect(try await Self.problems(in: "kubectl get pods --namspace x", help: help).count == 1)
        #expect(try await Self.problems(in: "kubectl rollout status deployment/a --waitt", help: help).count == 1)
        await #expect(throws: HelpFailed.self) { try await Self.problems(in: "kubectl rolout status x", help: help) }
    }
}
