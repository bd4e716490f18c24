import Components
import ProvisionCore
import TestSupport

/// The built-in components: the ones docs/architecture.md's component table lists (each row
/// checked against `StackCatalog` by ComponentTableTests). Doc checks cover exactly these, so
/// a component a team registers later, before it documents it, leaves them green.
enum BuiltInComponents {
    /// The documented components in catalog order; a documented id that is not registered is
    /// ComponentTableTests' failure, not a silent omission here.
    static func all(of catalog: [any Component] = StackCatalog.all) throws -> [any Component] {
        let documented = ComponentTableTests.documentedRows(try Repository.read("docs/architecture.md")).keys
        return catalog.filter { documented.contains($0.id.rawValue) }
    }

    static func ids() throws -> Set<ComponentID> { Set(try all().map(\.id)) }
}
