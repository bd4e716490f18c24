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

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Also these optional components, e.g. authentik-redis. Comma- or space-separated ids.",
            valueName: "ids"))
    var with: [String] = []

    var onlyIDs: [ComponentID] { Self.split(only) }
    var withIDs: [ComponentID] { Self.split(with) }

    /// The plan over the context's catalog for this selection; an unknown id is a usage error
    /// that lists the known ones (`provision components` lists them too).
    func plan(in context: CommandContext) throws -> ProvisionCore.Plan {
        let components = context.catalog
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
        let words: [Substring] = values.flatMap { $0.split(separator: ",") }
        let trimmed: [String] = words.map { $0.trimmingCharacters(in: .whitespaces) }
        return trimmed.filter { !$0.isEmpty }.map { ComponentID($0) }
    }
}
