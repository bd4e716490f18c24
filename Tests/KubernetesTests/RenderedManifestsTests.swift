import Foundation
import Kubernetes
import ProcessRunning
import ProvisionCore
import TestSupport
import Testing

@Suite("RenderedManifests")
struct RenderedManifestsTests {
    static let sample = """
        apiVersion: v1
        kind: Namespace
        metadata:
          labels:
            wrightnow/component: namespaces
          name: staging-infra
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          labels:
            wrightnow/component: redis
          name: redis-config
          namespace: staging-infra
        data:
          note: |
            a block scalar
            ---
            that holds a dashed line (indented, so not a marker)
        ---
        # only a comment: an empty document
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          labels:
            wrightnow/component: redis
          name: redis
          namespace: staging-infra
        spec: {}
        """

    @Test func groupsByComponentLabelKeepingRenderedOrder() throws {
        let rendered = try RenderedManifests(yaml: Self.sample)
        #expect(rendered.componentIDs == ["namespaces", "redis"])
        let redis = try #require(rendered.subset(for: "redis"))
        #expect(redis.objectCount == 2)
        #expect(redis.documents.map(\.reference) == ["ConfigMap/staging-infra/redis-config", "Deployment/staging-infra/redis"])
        #expect(redis.yaml.contains("that holds a dashed line"))
        #expect(redis.yaml.components(separatedBy: "\n---\n").count == 2)
        #expect(rendered.subset(for: "namespaces")?.documents.first?.reference == "Namespace/staging-infra")
        #expect(rendered.subset(for: "authentik") == nil)
    }

    @Test func subsetIsValidYAMLThatParsesBackToTheSameObjects() throws {
        let redis = try #require(try RenderedManifests(yaml: Self.sample).subset(for: "redis"))
        let again = try ManifestDocument.parseStream(redis.yaml)
        #expect(again.map(\.reference) == redis.documents.map(\.reference))
    }

    /// The text a release is digested from: the same for the same render, changed only for the
    /// component whose objects changed.
    @Test func subsetTextIsStableAndChangesOnlyWithItsObjects() throws {
        let first = try RenderedManifests(yaml: Self.sample)
        let second = try RenderedManifests(yaml: Self.sample)
        let subset = try #require(first.subset(for: "redis"))
        #expect(subset.yaml == second.subset(for: "redis")?.yaml)
        let changed = try RenderedManifests(yaml: Self.sample.replacingOccurrences(of: "spec: {}", with: "spec: {replicas: 1}"))
        #expect(changed.subset(for: "redis")?.yaml != subset.yaml)
        #expect(changed.subset(for: "namespaces")?.yaml == first.subset(for: "namespaces")?.yaml)
    }

    @Test func unlabelledObjectsAreNamedInTheError() {
        let yaml = Self.sample + """

            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: stray
              namespace: staging-infra
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: lonely
              labels:
                other: label
            """
        #expect {
            try RenderedManifests(yaml: yaml)
        } throws: { error in
            guard case ManifestError.unlabelled(let names, _) = error else { return false }
            let text = "\(error)"
            return names == ["Service/staging-infra/stray", "Namespace/lonely"]
                && text.contains("Service/staging-infra/stray") && text.contains("wrightnow/component")
        }
    }

    @Test func documentsThatAreNotObjectsAreRejectedWithTheirNumber() {
        #expect(throws: ManifestError.invalidDocument(number: 2, reason: "no kind")) {
            try RenderedManifests(yaml: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n")
        }
        #expect {
            try RenderedManifests(yaml: "apiVersion: v1\nkind: [unclosed\n")
        } throws: { "\($0)".contains("document 1") }
    }

    /// The repository's overlay, rendered by the real `kubectl kustomize`: every object is
    /// labelled, and the split covers each object exactly once. Fails (not skips) when the
    /// overlay is missing.
    @Test func splitsTheRepositoryOverlay() async throws {
        let overlay = Repository.k8s.appending(path: "overlays/local")
        #expect(FileManager.default.fileExists(atPath: overlay.appending(path: "kustomization.yaml").path),
                "k8s/overlays/local/kustomization.yaml is missing")
        let yaml = try await SubprocessCommandRunner().run(Command("kubectl", ["kustomize", overlay.path])).standardOutput
        let rendered = try RenderedManifests(yaml: yaml)
        let all = try ManifestDocument.parseStream(yaml)
        #expect(rendered.allDocuments.count == all.count)
        #expect(Set(rendered.allDocuments.map(\.reference)) == Set(all.map(\.reference)))
        for id in rendered.componentIDs {
            let subset = try #require(rendered.subset(for: id))
            #expect(try ManifestDocument.parseStream(subset.yaml).count == subset.objectCount)
        }
    }
}
