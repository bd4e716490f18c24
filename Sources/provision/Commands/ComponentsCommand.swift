import ArgumentParser
import ProvisionCore

/// `provision components`: what is registered.
struct ComponentsCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List the registered components with their dependencies.",
        discussion: """
            Optional components are deployed only when asked for with `provision up --with <id>`.

            EXAMPLE:
              provision components
            """)

    func run(in context: CommandContext) async throws {
        let rows = context.catalog.map { component in
            let dependencies = component.dependencies.map(\.rawValue).joined(separator: ", ")
            return [
                component.id.rawValue,
                component.isOptional ? "yes" : "no",
                dependencies.isEmpty ? "-" : dependencies,
                component.summary,
            ]
        }
        context.console.out(Format.table(header: ["ID", "OPTIONAL", "DEPENDS ON", "SUMMARY"], rows: rows))
    }
}
