import Foundation
import TestSupport

/// A `provision …` invocation shown in the documentation.
struct DocumentedCommand: Hashable, CustomStringConvertible {
    /// The first word after `provision`, when it is not an option.
    var subcommand: String?
    /// Every word after `provision` (and after the subcommand), up to a shell operator or comment.
    var arguments: [String]
    var source: String

    var description: String { "\(source): provision \(([subcommand].compactMap { $0 } + arguments).joined(separator: " "))" }

    /// Long and short options among the arguments, without `=value`.
    var options: [String] {
        arguments.filter { $0.hasPrefix("-") && $0 != "-" && $0 != "--" }
            .map { String($0.split(separator: "=", maxSplits: 1)[0]) }
    }

    /// Finds `provision` invocations in one line of shell or one code span. A word counts as
    /// the program when it is `provision` or a path ending in `/provision`; the word before
    /// must not be an option that takes it as a value (`--product provision`).
    static func find(in line: String, source: String) -> [DocumentedCommand] {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var commands: [DocumentedCommand] = []
        for (index, word) in words.enumerated() where word == "provision" || word.hasSuffix("/provision") {
            if index > 0, words[index - 1].hasPrefix("-") { continue }
            var rest: [String] = []
            for next in words.dropFirst(index + 1) {
                if ["|", "||", "&&", ";", "#", ">", "2>&1"].contains(next) || next.hasPrefix("#") { break }
                rest.append(next.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")))
            }
            var subcommand: String?
            if let first = rest.first, first.wholeMatch(of: /[a-z][a-z0-9-]*/) != nil {
                subcommand = first
                rest.removeFirst()
            }
            commands.append(DocumentedCommand(subcommand: subcommand, arguments: rest, source: source))
        }
        return commands
    }

    /// Every `provision` invocation in the documentation set, from code blocks and code spans.
    static func all() throws -> [DocumentedCommand] {
        try DocumentationSet.documents().flatMap { document in
            (document.codeLines + document.codeSpans).flatMap { find(in: $0, source: document.path) }
        }
    }
}

/// What `provision --help` and `provision <sub> --help` say exists.
struct ProvisionHelp {
    var subcommands: Set<String>
    /// Options per subcommand (`history show` for nested ones); the key "" holds the root command's.
    var options: [String: Set<String>]
    /// Each subcommand's own subcommands.
    var nested: [String: Set<String>] = [:]

    /// The options of `command`: its nested subcommand's when its first argument names one.
    func options(of command: DocumentedCommand) -> Set<String> {
        if let sub = command.subcommand, let first = command.arguments.first, nested[sub]?.contains(first) == true {
            return options["\(sub) \(first)"] ?? []
        }
        return options[command.subcommand ?? ""] ?? []
    }

    static func load() async throws -> ProvisionHelp {
        let root = try await ProvisionBinary.run(["--help"])
        guard root.status == 0 else { throw HelpFailed(command: "provision --help", outcome: root) }
        let subcommands = Self.subcommands(inHelp: root.output)
        var options = ["": Self.options(inHelp: root.output)]
        var nested: [String: Set<String>] = [:]
        for sub in subcommands {
            let help = try await ProvisionBinary.run([sub, "--help"])
            guard help.status == 0 else { throw HelpFailed(command: "provision \(sub) --help", outcome: help) }
            options[sub] = Self.options(inHelp: help.output)
            // Nested subcommands (`history show`); the default one's options are the parent's too.
            let children = Self.subcommands(inHelp: help.output)
            nested[sub] = children
            for child in children {
                let childHelp = try await ProvisionBinary.run([sub, child, "--help"])
                guard childHelp.status == 0 else {
                    throw HelpFailed(command: "provision \(sub) \(child) --help", outcome: childHelp)
                }
                options["\(sub) \(child)"] = Self.options(inHelp: childHelp.output)
                if help.output.contains("  \(child) (default)") {
                    options[sub, default: []].formUnion(Self.options(inHelp: childHelp.output))
                }
            }
        }
        return ProvisionHelp(subcommands: subcommands, options: options, nested: nested)
    }

    /// Names listed under `SUBCOMMANDS:` (ArgumentParser's help layout).
    static func subcommands(inHelp help: String) -> Set<String> {
        var inSection = false
        var names: Set<String> = []
        for line in help.components(separatedBy: "\n") {
            if line.hasPrefix("SUBCOMMANDS:") { inSection = true; continue }
            guard inSection else { continue }
            if !line.isEmpty, !line.hasPrefix(" ") { break }
            if let match = line.wholeMatch(of: /\ \ ([a-z][a-z0-9-]*)(?:\s.*)?/) { names.insert(String(match.1)) }
        }
        names.remove("help")
        return names
    }

    /// Every `--long` and `-s` option the help text mentions.
    static func options(inHelp help: String) -> Set<String> {
        Set(help.matches(of: /(?:^|[\s,\[(])(--?[a-zA-Z][a-zA-Z0-9-]*)/.anchorsMatchLineEndings()).map { String($0.1) })
    }

    struct HelpFailed: Error, CustomStringConvertible {
        var command: String
        var outcome: Shell.Outcome
        var description: String { "\(command) failed:\n\(outcome)" }
    }
}
