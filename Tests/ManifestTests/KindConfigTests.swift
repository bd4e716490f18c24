import Foundation
import TestSupport
import Testing
import Yams

/// The kind cluster config and the local storage that makes data survive recreation.
@Suite("kind config and local persistence")
struct KindConfigTests {
    @Test("the default node image is Kubernetes 1.37, pinned by version and digest")
    func nodeImageIsPinned() throws {
        let config = try KindConfig.load()
        #expect(config.kubernetesMinor == "1.37", "node image \(config.nodeImage) is not kindest/node:v1.37.Z@sha256:<64 hex>")
    }

    @Test("the ingress-nginx overlay's node image is pinned to a release the retired ingress-nginx supports")
    func ingressNginxNodeImageIsSupported() throws {
        let config = try KindConfig.load(KindConfig.ingressNginxPath)
        let minor = try #require(config.kubernetesMinor, "node image \(config.nodeImage) is not kindest/node:vX.Y.Z@sha256:<64 hex>")
        let reference = try Repository.read(Self.ingressNginxPin)
        let line = try #require(reference.split(separator: "\n").first { $0.contains("Supported Kubernetes versions for v1.15.1") })
        let supported = line.split(separator: ":").last?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces.union(.punctuationCharacters.subtracting(["."]))) } ?? []
        #expect(supported.contains(minor), "Kubernetes \(minor) is not in \(supported)")
    }

    static let ingressNginxPin = "k8s/components/edge-ingress-nginx/pins/nginx-ingress-controller.yaml"

    /// The port kind publishes as 80 on the host must be the node port the Gateway's data plane
    /// listens on for its HTTP listener: both read from the files, so a change to one fails here.
    static func dataPlaneReachesHostPort80(config: KindConfig, rendered: [KubeObject]) -> String? {
        guard let gateway = rendered.first(where: { $0.kind == "Gateway" }) else { return "no Gateway rendered" }
        let listeners = Tree.array(gateway.spec["listeners"]).map(Tree.dictionary)
        guard let http = listeners.first(where: { Tree.string($0["protocol"]) == "HTTP" }), let port = Tree.int(http["port"])
        else { return "the Gateway has no HTTP listener" }
        let proxyName = Tree.string(Tree.value(gateway.spec, at: "infrastructure.parametersRef.name"))
        guard let proxy = rendered.first(where: { $0.kind == "NginxProxy" && $0.name == proxyName && $0.namespace == gateway.namespace })
        else { return "the Gateway's NginxProxy \(proxyName ?? "(none)") is not rendered in \(gateway.namespace ?? "")" }
        let nodePorts = Tree.array(Tree.value(proxy.spec, at: "kubernetes.service.nodePorts")).map(Tree.dictionary)
        guard let nodePort = nodePorts.first(where: { Tree.int($0["listenerPort"]) == port }).flatMap({ Tree.int($0["port"]) })
        else { return "the NginxProxy fixes no node port for listener port \(port)" }
        guard config.portMappings.first?.container == nodePort, config.portMappings.first?.host == 80 else {
            return "the kind config's first port mapping \(config.portMappings.first.map { "\($0)" } ?? "(none)") "
                + "does not publish node port \(nodePort) as host port 80"
        }
        return nil
    }

    @Test("host port 80 reaches the Gateway's data plane: the kind mapping, the NginxProxy node port and the listener agree")
    func dataPlanePortMapping() async throws {
        let rendered = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let config = try KindConfig.load()
        #expect(Self.dataPlaneReachesHostPort80(config: config, rendered: rendered) == nil)
        // The check can fail: a mapping to another node port, or a listener on another port.
        let moved = try KindConfig.parse(try Repository.read(KindConfig.path).replacingOccurrences(
            of: "containerPort: 30080", with: "containerPort: 30081"))
        #expect(Self.dataPlaneReachesHostPort80(config: moved, rendered: rendered)?.contains("does not publish node port 30080") == true)
        let yaml = try await RenderCache.shared.rendering(of: .localOverlay).yaml
        let relistened = try KubeObject.parseAll(yaml.replacingOccurrences(of: "port: 80\n    protocol: HTTP", with: "port: 8080\n    protocol: HTTP"))
        #expect(Self.dataPlaneReachesHostPort80(config: config, rendered: relistened) == "the NginxProxy fixes no node port for listener port 8080")
    }

    @Test("the ingress-nginx overlay publishes ports 80 and 443 of the node, where the controller binds them")
    func ingressNginxPortMappings() throws {
        let mappings = try KindConfig.load(KindConfig.ingressNginxPath).portMappings
        for port in [80, 443] {
            #expect(mappings.contains { $0.container == port && $0.host == port })
        }
    }

    @Test("the two kind configs differ only in the node image and the port mappings")
    func kindConfigsAgree() throws {
        var local = try KindConfig.load().raw, ingress = try KindConfig.load(KindConfig.ingressNginxPath).raw
        for index in [0] {
            for key in ["image", "extraPortMappings", "labels"] {
                var node = Tree.dictionary(Tree.array(local["nodes"])[index]); node[key] = nil
                local["nodes"] = [node]
                var other = Tree.dictionary(Tree.array(ingress["nodes"])[index]); other[key] = nil
                ingress["nodes"] = [other]
            }
        }
        #expect(NSDictionary(dictionary: local).isEqual(to: ingress), "\(local)\n\(ingress)")
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
        let text = try Repository.read(Self.ingressNginxPin)
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

/// KEP-1755's announcement of the local registry and the kind configs' containerd hosts
/// directory: both kind overlays carry them, the overlay for other clusters neither.
@Suite("local registry and registry mirrors in k8s/")
struct LocalRegistryManifestTests {
    @Test("the kind overlays render the local-registry-hosting ConfigMap where KEP-1755 fixes it; overlays/cluster does not",
          arguments: [Kustomization.localOverlay, .localIngressNginxOverlay, .clusterOverlay])
    func hostingConfigMap(_ kustomization: Kustomization) async throws {
        let rendered = try await RenderCache.shared.rendering(of: kustomization)
        let hosting = rendered.objects.filter { $0.kind == "ConfigMap" && $0.name == "local-registry-hosting" }
        guard kustomization != .clusterOverlay else {
            #expect(hosting.isEmpty, "a cluster provision did not make has no local registry")
            return
        }
        let configMap = try #require(hosting.first)
        #expect(configMap.namespace == "kube-public")
        let data = Tree.dictionary(configMap.raw["data"])
        let v1 = try #require(Tree.string(data["localRegistryHosting.v1"]))
        let fields = Tree.dictionary(try Yams.load(yaml: v1))
        // The KEP's v1 fields; `host` is what image fields name, so no hostFromContainerRuntime.
        #expect(Tree.string(fields["host"]) == "localhost:5001")
        #expect(Tree.string(fields["hostFromClusterNetwork"]) == "provision-registry:5000")
        #expect(fields["hostFromContainerRuntime"] == nil)
        #expect(Set(fields.keys).isSubset(of: ["host", "hostFromClusterNetwork", "hostFromContainerRuntime", "help"]))
    }

    @Test("each kind config sets containerd's config_path and mounts a host directory exactly there",
          arguments: [KindConfig.path, KindConfig.ingressNginxPath])
    func containerdHostsDirectory(_ path: String) throws {
        let text = try Repository.read(path)
        let config = Tree.dictionary(try Yams.load(yaml: text))
        let patches = Tree.array(config["containerdConfigPatches"]).compactMap(Tree.string)
        // The node's config.toml is version 2 (kind's images/base/files/etc/containerd/config.toml),
        // so the patch names the version-2 CRI plugin and declares no version of its own (kind
        // skips a patch whose version differs, pkg/internal/patch/toml.go).
        let patch = try #require(patches.first { $0.contains("config_path") })
        #expect(patch.contains("[plugins.\"io.containerd.grpc.v1.cri\".registry]"))
        #expect(!patch.contains("version"))
        let configPath = try #require(patch.firstMatch(of: /config_path = "([^"]+)"/)).1
        let mounts = Tree.array(Tree.dictionary(Tree.array(config["nodes"]).first)["extraMounts"]).map(Tree.dictionary)
        let mount = try #require(mounts.first { Tree.string($0["containerPath"]) == String(configPath) })
        #expect(Tree.string(mount["hostPath"]) == ".data/containerd-certs.d")
    }
}
