import ProvisionCore

/// `provision plan --format mermaid`: the plan's dependency graph as a mermaid flowchart,
/// which GitHub draws where Markdown shows a ```mermaid block.
///
/// One node per component of the plan, in plan order; one edge from each dependency to
/// the component that depends on it, listed per component in plan order with the
/// dependencies sorted; optional components are drawn with a dashed border and say
/// "(optional)". The same plan always gives the same text, byte for byte.
///
/// Node ids are `c_` plus the component id with every character other than an ASCII
/// letter, digit or `_` turned into `_` (a numeric suffix keeps them unique): the prefix
/// keeps ids clear of flowchart keywords such as `end` and of the `o`/`x` edge endings,
/// and the label carries the real id.
enum MermaidPlan {
    /// - Parameter removal: draw the order `provision down --backend existing` removes the
    ///   stack in: the same graph with every edge reversed, from a component to what it
    ///   depends on (a dependent is removed before its dependencies).
    static func render(_ plan: ProvisionCore.Plan, removal: Bool = false) -> String {
        let ids = nodeIDs(plan.order)
        var lines = ["flowchart LR"]
        lines.append(removal
            ? "    %% provision plan --down: an arrow from each component to what it depends on, removed after it"
            : "    %% provision plan: an arrow from each component to the components that depend on it")
        for id in plan.order {
            let optional = plan.component(id)?.isOptional ?? false
            lines.append("    \(ids[id]!)[\"\(label(id.rawValue + (optional ? " (optional)" : "")))\"]")
        }
        for id in plan.order {
            for dependency in plan.dependencies(of: id) {
                lines.append(removal ? "    \(ids[id]!) --> \(ids[dependency]!)" : "    \(ids[dependency]!) --> \(ids[id]!)")
            }
        }
        let optional = plan.order.filter { plan.component($0)?.isOptional ?? false }
        if !optional.isEmpty {
            lines.append("    classDef optional stroke-dasharray: 5 5")
            lines.append("    class \(optional.map { ids[$0]! }.joined(separator: ",")) optional")
        }
        return lines.joined(separator: "\n")
    }

    /// `c_` + the id with unsafe characters replaced, made unique in plan order.
    static func nodeIDs(_ order: [ComponentID]) -> [ComponentID: String] {
        var result: [ComponentID: String] = [:]
        var taken = Set<String>()
        for id in order {
            let base = "c_" + String(id.rawValue.map { character in
                character.isASCII && (character.isLetter || character.isNumber || character == "_") ? character : "_"
            })
            var candidate = base
            var suffix = 2
            while taken.contains(candidate) {
                candidate = "\(base)_\(suffix)"
                suffix += 1
            }
            taken.insert(candidate)
            result[id] = candidate
        }
        return result
    }

    /// Text for a quoted node label: mermaid's entity codes for the characters that would
    /// end the label or start an entity.
    static func label(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "#": result += "#35;"
            case "\"": result += "#quot;"
            case "<": result += "#60;"
            case ">": result += "#62;"
            case "\n": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}
