import Components
import Foundation
import Kubernetes
import ProcessRunning
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

    @Test("the route host is set once, and authentik's base URL follows it")
    func hostSaidOnce() async throws {
        let rendering = try await RenderCache.shared.rendering(of: .clusterOverlay)
        let text = try Repository.read("k8s/overlays/cluster/kustomization.yaml")
        let hosts = text.matches(of: /value: ([a-z0-9.-]+\.[a-z]+)\n/).map { String($0.1) }
        #expect(hosts.count == 1, "one host value in the overlay: \(hosts)")
        let host = try #require(hosts.first)
        let routes = rendering.objects(ofKind: "HTTPRoute")
        #expect(!routes.isEmpty)
        for route in routes {
            let hostnames = (route.raw["spec"] as? [String: Any])?["hostnames"] as? [String] ?? []
            #expect(hostnames == [host], "\(route.name)")
        }
        let config = try #require(rendering.object("ConfigMap", "authentik-config"))
        #expect((config.raw["data"] as? [String: Any])?["AUTHENTIK_WEB__BASE_URL"] as? String == "http://\(host)")
    }

    @Test("NGINX Gateway Fabric is pinned to its LoadBalancer flavour for generic clusters, same release as kind's")
    func edgePin() throws {
        let own = try ManifestPin.load(from: Repository.file("k8s/overlays/cluster/pins/nginx-gateway-fabric.yaml"))
        let kind = try ManifestPin.load(from: Repository.file("k8s/components/edge-gateway-api/pins/nginx-gateway-fabric.yaml"))
        #expect(own.url.absoluteString.hasSuffix("/deploy/default/deploy.yaml"))
        #expect(own.url.absoluteString.replacingOccurrences(of: "/default/", with: "/nodeport/") == kind.url.absoluteString)
        #expect(own.sha256 != kind.sha256)
        // The deployment layer reads the overlay's own pin first, then its edge Component's;
        // an overlay that selects no such pin has none (its component is skipped).
        func shown(_ overlay: String, _ name: String) throws -> String? {
            let deployment = KubernetesDeployment(
                kubectl: Kubectl(runner: SubprocessCommandRunner(), context: "x"),
                manifests: ManifestSource(runner: SubprocessCommandRunner()),
                vault: SecretVault(directory: URL(filePath: "/nonexistent")),
                cluster: ClusterSpec(name: "x", manifestsRoot: Repository.k8s, overlay: overlay))
            return try deployment.pinFile(name)?.shown
        }
        #expect(try shown("cluster", "nginx-gateway-fabric.yaml") == "k8s/overlays/cluster/pins/nginx-gateway-fabric.yaml")
        #expect(try shown("cluster", "gateway-crds.yaml") == "k8s/components/edge-gateway-api/pins/gateway-crds.yaml")
        #expect(try shown("local", "nginx-gateway-fabric.yaml") == "k8s/components/edge-gateway-api/pins/nginx-gateway-fabric.yaml")
        #expect(try shown("local", IngressNginxComponent.pinFile) == nil)
        #expect(try shown("local-ingress-nginx", IngressNginxComponent.pinFile)
            == "k8s/components/edge-ingress-nginx/pins/nginx-ingress-controller.yaml")
        #expect(try shown("local-ingress-nginx", "gateway-crds.yaml") == nil)
    }
}
