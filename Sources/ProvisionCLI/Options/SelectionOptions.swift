import ArgumentParser
import Foundation
import ProvisionCore

/// Which components a run covers: `--only` and `--with`.
struct SelectionOptions: ParsableArguments {
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Only these components and what they depend on. Comma- or space-separated ids.",
            valueName: "ids"))
    var only: [String] = []

    /// `--with`'s help, also for commands that take optional components only.
    static let withHelp = ArgumentHelp(
        "Also these optional components, e.g. authentik-redis. Comma- or space-separated ids.", valueName: "ids")

    @Option(parsing: .upToNextOption, help: SelectionOptions.withHelp)
    var with: [String] = []

    var onlyIDs: [ComponentID] { Self.split(only) }
    var withIDs: [ComponentID] { Self.split(with) }

    /// The plan over the runtime's catalog for this selection; an unknown id is a usage error
    /// that lists the known ones (`provision components` lists them too).
    func plan(in runtime: Runtime) throws -> ProvisionCore.Plan {
        try Self.plan(only: only, with: with, among: runtime.catalog)
    }

    /// The plan over `components` for `--only` and `--with` as given on the command line.
    static func plan(only: [String], with: [String], among components: [any Component]) throws -> ProvisionCore.Plan {
        let onlyIDs = split(only), withIDs = split(with)
        for (flag, values) in [("--only", only), ("--with", with)] where values.contains(where: { Self.split([$0]).isEmpty }) {
            throw Problem(
                .usage, problem: "\(flag) needs at least one component id; it got an empty value",
                fix: "name the components, e.g. `\(flag) redis` (`provision components` lists them), or leave \(flag) out")
        }
        let known = Dictionary(components.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let notOptional = withIDs.filter { known[$0].map { !$0.isOptional } ?? false }
        if !notOptional.isEmpty {
            let optional = components.filter(\.isOptional).map(\.id.rawValue)
            throw Problem(
                .usage,
                problem: "--with takes optional components only; \(notOptional.map { "`\($0)`" }.joined(separator: ", ")) "
                    + "\(notOptional.count == 1 ? "is" : "are") deployed anyway",
                fix: "leave \(notOptional.map(\.rawValue).joined(separator: ", ")) out of --with "
                    + "(optional ones: \(optional.isEmpty ? "none" : optional.joined(separator: ", ")); "
                    + "--only limits the run to some components)")
        }
        var selected: Set<ComponentID>? = onlyIDs.isEmpty ? nil : Set(onlyIDs)
        if !withIDs.isEmpty {
            let defaults = Set(components.filter { !$0.isOptional }.map(\.id))
            selected = (selected ?? defaults).union(withIDs)
        }
        do {
            return try ProvisionCore.Plan(components: components, selecting: selected)
        } catch {
            throw Problem(error)
        }
    }

    private static func split(_ values: [String]) -> [ComponentID] {
        // "a,b", "a b" (one quoted argument) and "a, b" all name two components.
        let words: [Substring] = values.flatMap { $0.split(whereSeparator: { $0 == "," || $0.isWhitespace }) }
        let trimmed: [String] = words.map { $0.trimmingCharacters(in: .whitespaces) }
        return trimmed.filter { !$0.isEmpty }.map { ComponentID($0) }
    }
}
