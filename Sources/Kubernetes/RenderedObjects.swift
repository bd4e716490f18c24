import ProvisionCore

/// The Kubernetes layer's own part of a ``ComponentRelease``: the component's objects as
/// parsed once, in rendered order, each with the readiness check derived from it (nil for
/// objects without one), for the wait, the smoke checks' routes, the survey and `down`.
struct RenderedObjects: Sendable {
    let documents: [ManifestDocument]
    let checks: [ReadinessCheck?]
    /// The namespace kubectl puts the objects whose text names none into (`-n` on apply, label
    /// and diff): a pin's `namespace:`. The documents already carry it (``ManifestDocument/placed(in:)``);
    /// nil: every namespaced object names its own, or goes to kubectl's default.
    let namespace: String?

    init(_ documents: [ManifestDocument], namespace: String? = nil) {
        self.documents = documents
        self.namespace = namespace
        checks = documents.map(WorkloadReadiness.check(for:))
    }

    /// The workloads' checks in the order they are waited for.
    var workloadChecks: [ReadinessCheck] {
        WorkloadReadiness.inWaitingOrder(Array(zip(documents, checks)))
    }
}

extension ComponentRelease {
    /// The objects ``KubernetesDeployment/prepare(_:)`` parsed. A release that another
    /// deployment prepared has none of ours: handing it here is a programming error, never
    /// "nothing to delete".
    var renderedObjects: RenderedObjects {
        guard let objects = rendered as? RenderedObjects else {
            preconditionFailure("release of \(id) was not prepared by KubernetesDeployment")
        }
        return objects
    }
    var documents: [ManifestDocument] { renderedObjects.documents }
}
