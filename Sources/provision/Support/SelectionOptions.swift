import ArgumentParser
import Components
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

    func validate() throws {
        let known = Set(StackCatalog.all.map(\.id))
        for id in onlyIDs + withIDs where !known.contains(id) {
            throw ValidationError(
                "unknown component '\(id)'; known: \(StackCatalog.all.map(\.id.rawValue).joined(separator: ", ")) "
                    + "(`provision components` lists them)")
        }
    }

    /// The plan over the registered components for this selection.
    func plan(components: [any Component] = StackCatalog.all) throws -> ProvisionCore.Plan {
        var selected: Set<ComponentID>? = onlyIDs.isEmpty ? nil : Set(onlyIDs)
        if !withIDs.isEmpty {
            let defaults = Set(components.filter { !$0.isOptional }.map(\.id))
            selected = (selected ?? defaults).union(withIDs)
        }
        do {
            return try ProvisionCore.Plan(components: components, selecting: selected)
        } catch let error as PlanError {
            throw ProvisionFailure(String(describing: error), exitCode: ProvisionExit.usage)
        }
    }

    private static func split(_ values: [String]) -> [ComponentID] {
        let words: [Substring] = values.flatMap { $0.split(separator: ",") }
        let trimmed: [String] = words.map { $0.trimmingCharacters(in: .whitespaces) }
        return trimmed.filter { !$0.isEmpty }.map { ComponentID($0) }
    }
}
