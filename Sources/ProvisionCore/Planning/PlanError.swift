/// Why a set of components cannot be turned into a ``Plan``.
/// Each description names the offender and how to fix it.
public enum PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two components share an id.
    case duplicateID(ComponentID)
    /// `component` depends on `missing`, which is not registered.
    case unknownDependency(component: ComponentID, missing: ComponentID)
    /// A selected id names no registered component.
    case unknownSelection(ComponentID, known: [ComponentID])
    /// The dependencies loop; the path starts and ends with the same id.
    case cycle([ComponentID])

    public var description: String {
        switch self {
        case .duplicateID(let id):
            return "two components are registered with the id `\(id)`\n"
                + "  fix: give each component a unique id (it is also the `\(ComponentLabel.key)` label value)"
        case .unknownDependency(let component, let missing):
            return "component `\(component)` depends on `\(missing)`, which is not registered\n"
                + "  fix: register a component with id `\(missing)` or remove it from `\(component)`'s dependencies"
        case .unknownSelection(let id, let known):
            return "no component is called `\(id)`\n"
                + "  fix: choose one of: \(known.map(\.rawValue).joined(separator: ", "))"
        case .cycle(let path):
            return "the component dependencies form a cycle: \(path.map(\.rawValue).joined(separator: " -> "))\n"
                + "  fix: remove one of these dependencies so the components can be ordered"
        }
    }
}
