import ArgumentParser
import Components
import ProvisionCore

/// `provision components`: what is registered.
struct ComponentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List the registered components with their dependencies.",
        discussion: """
            Optional components are deployed only when asked for with `provision up --with <id>`.

            EXAMPLE:
              provision components
            """)

    func run() throws {
        let rows = StackCatalog.all.map { component in
            let dependencies = component.dependencies.map(\.rawValue).joined(separator: ", ")
            return [
                component.id.rawValue,
                component.isOptional ? "yes" : "no",
                dependencies.isEmpty ? "-" : dependencies,
                component.summary,
            ]
        }
        Console.out(Format.table(header: ["ID", "OPTIONAL", "DEPENDS ON", "SUMMARY"], rows: rows))
    }
}
