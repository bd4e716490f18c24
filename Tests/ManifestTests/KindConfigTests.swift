import Foundation
import TestSupport
import Testing

/// The kind cluster config and the local storage that makes data survive recreation.
@Suite("kind config and local persistence")
struct KindConfigTests {
    @Test("the node image is pinned by version and digest to a release ingress-nginx supports")
    func nodeImageIsPinnedAndSupported() throws {
        let config = try KindConfig.load()
        let minor = try #require(config.kubernetesMinor, "node image \(config.nodeImage) is not kindest/node:vX.Y.Z@sha256:<64 hex>")
        let reference = try Repository.read("k8s/base/ingress/nginx-ingress-controller.yaml")
        let line = try #require(reference.split(separator: "\n").first { $0.contains("Supported Kubernetes versions for v1.15.1") })
        let supported = line.split(separator: ":").last?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces.union(.punctuationCharacters.subtracting(["."]))) } ?? []
        #expect(supported.contains(minor), "Kubernetes \(minor) is not in \(supported)")
    }

    @Test("ports 80 and 443 reach the ingress controller")
    func portMappings() throws {
        let mappings = Tree.array(try KindConfig.load().controlPlane["extraPortMappings"]).map(Tree.dictionary)
        for port in [80, 443] {
            #expect(mappings.contains { Tree.int($0["containerPort"]) == port && Tree.int($0["hostPort"]) == port })
        }
    }

    @Test("local-path-provisioner's directory is a git-ignored host directory under the repository")
    func dataDirectoryIsMountedAndIgnored() async throws {
        let mounts = Tree.array(try KindConfig.load().controlPlane["extraMounts"]).map(Tree.dictionary)
        let mount = try #require(mounts.first { Tree.string($0["containerPath"]) == "/var/local-path-provisioner" })
        let hostPath = try #require(Tree.string(mount["hostPath"]))
        #expect(!hostPath.hasPrefix("/"), "relative, resolved against the repository root where kind runs")
        #expect(hostPath.hasPrefix(".data/"))
        let ignored = try await ChildProcess.run(["git", "-C", Repository.root.path, "check-ignore", "-q", "\(hostPath)/staging-infra/x"])
        #expect(ignored.succeeded, "\(hostPath) must be ignored by git")
    }

    @Test("every claim of the local overlay uses the Retain class with a stable path")
    func claimsUseTheRetainingClass() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let classes = objects.filter { $0.kind == "StorageClass" }
        #expect(classes.count == 1)
        let storageClass = try #require(classes.first)
        #expect(Tree.string(storageClass.raw["provisioner"]) == "rancher.io/local-path")
        #expect(Tree.string(storageClass.raw["reclaimPolicy"]) == "Retain")
        #expect(Tree.string(Tree.value(storageClass.raw, at: "parameters.pathPattern")) == "{{ .PVC.Namespace }}/{{ .PVC.Name }}/")
        var claimClasses = objects.filter { $0.kind == "PersistentVolumeClaim" }.map { Tree.string($0.spec["storageClassName"]) }
        for statefulSet in objects where statefulSet.kind == "StatefulSet" {
            claimClasses += Tree.array(statefulSet.spec["volumeClaimTemplates"]).map {
                Tree.string(Tree.value($0, at: "spec.storageClassName"))
            }
        }
        #expect(claimClasses.count == 4)
        #expect(claimClasses.allSatisfy { $0 == storageClass.name })
    }

    @Test("the ingress-nginx reference pins the release URL and digest, and holds no objects")
    func ingressReference() throws {
        let text = try Repository.read("k8s/base/ingress/nginx-ingress-controller.yaml")
        let url = "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml"
        #expect(text.split(separator: "\n").contains { $0 == "url: \(url)" })
        #expect(text.split(separator: "\n").contains { $0.wholeMatch(of: /sha256: [0-9a-f]{64}/) != nil })
        #expect(try KubeObject.parseAll(text).allSatisfy { $0.kind.isEmpty && $0.apiVersion.isEmpty })
        #expect(text.contains("retired"))
    }

    /// A namespace stays `placeholder` until its service is live; then `active` (k8s/README.md).
    @Test("the application namespaces point at the deployment guides")
    func placeholderAnnotations() async throws {
        let namespaces = try await RenderCache.shared.rendering(of: .base).objects(ofKind: "Namespace")
        let expected = [
            "staging-core": "k8s/README.md#deploying-core-backend",
            "staging-ai": "k8s/README.md#deploying-ai-service",
            "staging-web": "k8s/README.md#deploying-web-client",
        ]
        for (name, guide) in expected {
            let namespace = try #require(namespaces.first { $0.name == name })
            #expect(["placeholder", "active"].contains(namespace.labels["status"] ?? ""), "\(name): status")
            #expect(namespace.labels["environment"] == "staging")
            #expect(namespace.annotations["wrightnow/deployment-guide"] == guide)
        }
    }
}
