import Components
import ProvisionCore

/// Every rendered object (and every pod it creates) carries `wrightnow/component` with a
/// known component id: that label is how `provision` applies one component at a time.
enum ComponentLabels {
    static let knownIDs = Set(StackCatalog.all.map(\.id.rawValue))

    static func problems(in objects: [KubeObject]) -> [String] {
        var problems: [String] = []
        for object in objects {
            guard let id = object.labels[ComponentLabel.key] else {
                problems.append("\(object) has no \(ComponentLabel.key) label")
                continue
            }
            if !knownIDs.contains(id) {
                problems.append("\(object) has the unknown component id \(id)")
            }
            if object.isWorkload, object.podLabels[ComponentLabel.key] != id {
                problems.append("\(object) pod template does not carry \(ComponentLabel.key): \(id)")
            }
        }
        return problems
    }
}
