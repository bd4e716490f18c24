import Components
import Foundation
import ProvisionCore
import TestSupport
import Testing

/// Every volume claim `provision` creates on kind keeps its data: it names the StorageClass of
/// the `storage` component, whose reclaimPolicy is Retain. Checked on what each component
/// really applies: its share of the local overlay, or its own kustomization.
@Suite("Every claim provision applies uses the retaining class")
struct RetainedStorageTests {
    /// (claim, class) for each PersistentVolumeClaim and volumeClaimTemplate.
    static func claims(in objects: [KubeObject]) -> [(String, String?)] {
        var claims = objects.filter { $0.kind == "PersistentVolumeClaim" }.map {
            ($0.description, Tree.string($0.spec["storageClassName"]))
        }
        for statefulSet in objects where statefulSet.kind == "StatefulSet" {
            for template in Tree.array(statefulSet.spec["volumeClaimTemplates"]) {
                let name = Tree.string(Tree.value(template, at: "metadata.name")) ?? "?"
                claims.append(("\(statefulSet) volumeClaimTemplate \(name)", Tree.string(Tree.value(template, at: "spec.storageClassName"))))
            }
        }
        return claims
    }

    /// The objects `provision up` applies for one component of the catalog, or nil for a
    /// pinned upstream manifest (ingress-nginx, which has no claims).
    static func objects(of component: any Component, overlay: [KubeObject]) async throws -> [KubeObject]? {
        switch component.resources {
        case .overlay:
            return overlay.filter { $0.labels[ComponentLabel.key] == component.id.rawValue }
        case .kustomization(let path):
            let result = try await ChildProcess.run(["kubectl", "kustomize", Repository.k8s.appending(path: path).path])
            try #require(result.succeeded, "kubectl kustomize k8s/\(path): \(result.description)")
            return try KubeObject.parseAll(result.standardOutput)
        case .pinnedManifest:
            return nil
        }
    }

    static func problems(_ claims: [(String, String?)], retaining: Set<String>) -> [String] {
        claims.compactMap { claim, storageClass in
            retaining.contains(storageClass ?? "") ? nil
                : "\(claim) uses class \(storageClass ?? "(default)"), which does not retain its data"
        }
    }

    @Test("claims of every component, the optional authentik Redis included, name the Retain class")
    func everyComponentRetains() async throws {
        let overlay = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let retaining = Set(overlay.filter { $0.kind == "StorageClass" && Tree.string($0.raw["reclaimPolicy"]) == "Retain" }.map(\.name))
        #expect(retaining == ["wrightnow-retain"])
        var all: [(String, String?)] = []
        for component in StackCatalog.all {
            guard let objects = try await Self.objects(of: component, overlay: overlay) else { continue }
            all += Self.claims(in: objects)
        }
        #expect(all.contains { $0.0.contains("authentik-redis-data") }, "the optional component's claim was not found")
        #expect(all.count == 5)
        #expect(Self.problems(all, retaining: retaining) == [])
    }

    @Test("a claim on kind's `standard` class is reported")
    func standardIsReported() {
        #expect(Self.problems([("PersistentVolumeClaim/staging-infra/authentik-redis-data", "standard")], retaining: ["wrightnow-retain"])
            == ["PersistentVolumeClaim/staging-infra/authentik-redis-data uses class standard, which does not retain its data"])
    }
}
