import Components
import Foundation
import Kubernetes
import ProvisionCore
import Testing
import TestSupport

/// k8s/overlays/cluster: the stack for clusters provision did not create. Every other
/// manifest check runs on it too (it is a case of `Kustomization`).
@Suite("the generic overlay for existing clusters")
struct ClusterOverlayTests {
    @Test("no host ports, no storage class named, nothing of kind's StorageClass")
    func nothingKindOnly() async throws {
        let rendering = try await RenderCache.shared.rendering(of: .clusterOverlay)
        #expect(!rendering.yaml.contains("hostPort"))
        #expect(!rendering.yaml.contains("storageClassName"), "claims must use the cluster's default StorageClass")
        #expect(rendering.objects(ofKind: "StorageClass").isEmpty)
        #expect(!rendering.objects.contains { $0.labels[ComponentLabel.key] == StorageComponent().id.rawValue })
        // Every claim stays ReadWriteOnce: one writer per volume.
        let claims = rendering.objects(ofKind: "PersistentVolumeClaim")
        #expect(!claims.isEmpty)
        for claim in claims {
            let modes = ((claim.raw["spec"] as? [String: Any])?["accessModes"] as? [String]) ?? []
            #expect(modes == ["ReadWriteOnce"], "\(claim.name): \(modes)")
        }
    }

    @Test("the Ingress host is set once, and authentik's base URL follows it")
    func hostSaidOnce() async throws {
        let rendering = try await RenderCache.shared.rendering(of: .clusterOverlay)
        let text = try Repository.read("k8s/overlays/cluster/kustomization.yaml")
        let hosts = text.matches(of: /value: ([a-z0-9.-]+\.[a-z]+)\n/).map { String($0.1) }
        #expect(hosts.count == 1, "one host value in the overlay: \(hosts)")
        let host = try #require(hosts.first)
        for ingress in rendering.objects(ofKind: "Ingress") {
            let rules = (ingress.raw["spec"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
            #expect(rules.allSatisfy { $0["host"] as? String == host }, "\(ingress.name)")
        }
        let config = try #require(rendering.object("ConfigMap", "authentik-config"))
        #expect((config.raw["data"] as? [String: Any])?["AUTHENTIK_WEB__BASE_URL"] as? String == "http://\(host)")
    }

    @Test("ingress-nginx is pinned to the upstream manifest for generic clusters, same release as kind's")
    func ingressPin() throws {
        let own = try ManifestPin.load(from: Repository.file("k8s/overlays/cluster/pins/nginx-ingress-controller.yaml"))
        let kind = try ManifestPin.load(from: Repository.file("k8s/\(IngressNginxComponent.pinFile)"))
        #expect(own.url.absoluteString.hasSuffix("/deploy/static/provider/cloud/deploy.yaml"))
        #expect(own.url.absoluteString.replacingOccurrences(of: "/cloud/", with: "/kind/") == kind.url.absoluteString)
        #expect(own.sha256 != kind.sha256)
        // The deployment layer reads the overlay's pin when the overlay has one.
        let cluster = ClusterSpec(name: "x", manifestsRoot: Repository.k8s, overlay: "cluster")
        let deployment = KubernetesDeployment(
            kubectl: Kubectl(runner: SubprocessCommandRunner(), context: "x"),
            manifests: ManifestSource(runner: SubprocessCommandRunner()),
            vault: SecretVault(directory: URL(filePath: "/nonexistent")), cluster: cluster)
        #expect(deployment.pinFile(IngressNginxComponent.pinFile).shown == "k8s/overlays/cluster/pins/nginx-ingress-controller.yaml")
        let local = ClusterSpec(name: "x", manifestsRoot: Repository.k8s, overlay: "local")
        #expect(KubernetesDeployment(
            kubectl: deployment.kubectl, manifests: deployment.manifests, vault: deployment.vault, cluster: local
        ).pinFile(IngressNginxComponent.pinFile).shown == "k8s/\(IngressNginxComponent.pinFile)")
    }
}
