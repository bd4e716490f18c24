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

    public var problem: String {
        switch self {
        case .duplicateID(let id):
            "two components are registered with the id `\(id)`"
        case .unknownDependency(let component, let missing):
            "component `\(component)` depends on `\(missing)`, which is not registered"
        case .unknownSelection(let id, _):
            "unknown component `\(id)`"
        case .cycle(let path):
            "the component dependencies form a cycle: \(path.map(\.rawValue).joined(separator: " -> "))"
        }
    }

    public var fix: String {
        switch self {
        case .duplicateID:
            "give each component a unique id (it is also the `\(ComponentLabel.key)` label value)"
        case .unknownDependency(let component, let missing):
            "register a component with id `\(missing)` or remove it from `\(component)`'s dependencies"
        case .unknownSelection(_, let known):
            "choose one of: \(known.map(\.rawValue).joined(separator: ", "))"
        case .cycle:
            "remove one of these dependencies so the components can be ordered"
        }
    }

    public var description: String { "\(problem)\n  fix: \(fix)" }
}
