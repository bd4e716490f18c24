import ArgumentParser
import ProvisionCore

/// `provision components`: what is registered.
struct ComponentsCommand: RuntimeCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List the registered components with their dependencies.",
        discussion: """
            Optional components are deployed only when asked for with `provision up --with <id>`.

            EXAMPLE:
              provision components
            """)

    func run(in runtime: Runtime) async throws {
        let rows = runtime.catalog.map { component in
            let dependencies = component.dependencies.map(\.rawValue).joined(separator: ", ")
            return [
                component.id.rawValue,
                component.isOptional ? "yes" : "no",
                dependencies.isEmpty ? "-" : dependencies,
                component.summary,
            ]
        }
        runtime.console.out(Format.table(header: ["ID", "OPTIONAL", "DEPENDS ON", "SUMMARY"], rows: rows))
    }
}
