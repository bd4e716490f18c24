import Foundation
import ProvisionCore

/// The objects of one component inside a rendered manifest stream.
public struct ManifestSubset: Sendable, Hashable {
    public var documents: [ManifestDocument]

    public init(documents: [ManifestDocument]) {
        self.documents = documents
    }

    /// The objects as one YAML stream, in the order they were rendered.
    /// This is exactly what is sent to the cluster and digested.
    public var yaml: String {
        documents.map(\.text).joined(separator: "---\n")
    }

    public var objectCount: Int { documents.count }
}

/// A rendered overlay (the output of `kubectl kustomize`) split by owning component.
///
/// Every object must carry the label `labelKey` (by default ``ComponentLabel/key``);
/// its value names the component that owns it. Objects keep their rendered order, so
/// the same input always gives the same subsets and digests.
public struct RenderedManifests: Sendable, Hashable {
    public let labelKey: String
    private let subsets: [ComponentID: ManifestSubset]

    /// Parses `yaml`; throws ``ManifestError/unlabelled(_:labelKey:)`` naming every
    /// object without the label, or ``ManifestError/invalidDocument(number:reason:)``.
    public init(yaml: String, labelKey: String = ComponentLabel.key) throws {
        self.labelKey = labelKey
        var grouped: [ComponentID: [ManifestDocument]] = [:]
        var unlabelled: [String] = []
        for document in try ManifestDocument.parseStream(yaml) {
            guard let owner = document.labels[labelKey], !owner.isEmpty else {
                unlabelled.append(document.reference)
                continue
            }
            grouped[ComponentID(owner), default: []].append(document)
        }
        guard unlabelled.isEmpty else { throw ManifestError.unlabelled(unlabelled, labelKey: labelKey) }
        subsets = grouped.mapValues(ManifestSubset.init(documents:))
    }

    /// The components that own at least one object, sorted.
    public var componentIDs: [ComponentID] { subsets.keys.sorted() }

    /// The objects owned by `component`, or `nil` when it owns none.
    public func subset(for component: ComponentID) -> ManifestSubset? {
        subsets[component]
    }

    /// All objects, grouped by component in ``componentIDs`` order.
    public var allDocuments: [ManifestDocument] {
        componentIDs.flatMap { subsets[$0]!.documents }
    }
}
