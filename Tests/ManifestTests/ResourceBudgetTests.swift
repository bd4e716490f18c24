import Foundation
import TestSupport
import Testing

/// The stack must fit the seed's minimum laptop (4 CPU, 8 GiB) running kind, with room left
/// for the operating system, Docker and the tools the developer runs.
@Suite("The stack fits a 4 CPU / 8 GiB laptop")
struct ResourceBudgetTests {
    static let laptop = (cpuMillis: 4000, memoryBytes: 8 * ResourceBudget.gibibyte)
    /// At most this share of the laptop may be requested, or held at the memory limits.
    static let maximumShare = 0.75

    /// Requests of what kind runs besides the stack, read in the sources (not measured here):
    /// kubeadm's static pods kube-apiserver 250m, kube-controller-manager 200m, kube-scheduler
    /// 100m (cmd/kubeadm/app/phases/controlplane/manifests.go, ComponentResources), etcd
    /// 100m/100Mi (phases/etcd/local.go), two CoreDNS 100m/70Mi each (phases/addons/dns/
    /// manifests.go); kind's kindnet 100m/50Mi (kind pkg/build/nodeimage/const_cni.go) and
    /// local-path-provisioner, which requests nothing (const_storage.go; kind's main branch of
    /// 2026-08-21). kube-proxy requests nothing either.
    static var kindControlPlane: ResourceBudget {
        var budget = ResourceBudget()
        budget.cpuRequestMillis = 950
        budget.memoryRequestBytes = 290 * ResourceBudget.mebibyte
        return budget
    }

    /// The edge controller's requests: ingress-nginx's, as documented next to its pinned
    /// manifest (NGINX Gateway Fabric, the default edge, requests none: its pin says so), so the
    /// budget holds for either edge.
    static func ingressController() throws -> ResourceBudget {
        #expect(try Repository.read("k8s/components/edge-gateway-api/pins/nginx-gateway-fabric.yaml")
            .contains("Upstream ships no resource requests"))
        let reference = try Repository.read("k8s/components/edge-ingress-nginx/pins/nginx-ingress-controller.yaml")
        let match = try #require(reference.firstMatch(of: /requests (\d+)m CPU \/ (\d+)Mi memory/))
        var budget = ResourceBudget()
        budget.cpuRequestMillis = Int(match.1)!
        budget.memoryRequestBytes = Int(match.2)! * ResourceBudget.mebibyte
        return budget
    }

    /// Why `total` does not fit the laptop with room left; empty when it does.
    static func problems(fitting total: ResourceBudget) -> [String] {
        var problems: [String] = []
        let cpu = Int(Double(laptop.cpuMillis) * maximumShare)
        let memory = Int(Double(laptop.memoryBytes) * maximumShare)
        if total.cpuRequestMillis > cpu { problems.append("CPU requests \(total.cpuRequestMillis)m exceed \(cpu)m") }
        if total.memoryRequestBytes > memory {
            problems.append("memory requests \(total.memoryRequestBytes / ResourceBudget.mebibyte)Mi exceed \(memory / ResourceBudget.mebibyte)Mi")
        }
        if total.memoryLimitBytes > memory {
            problems.append("memory limits \(total.memoryLimitBytes / ResourceBudget.mebibyte)Mi exceed \(memory / ResourceBudget.mebibyte)Mi")
        }
        return problems
    }

    @Test("requests and memory limits leave a quarter of the laptop free", arguments: [
        Kustomization.localOverlay, .authentikRedisComponent,
    ])
    func stackFits(_ kustomization: Kustomization) async throws {
        let objects = try await RenderCache.shared.rendering(of: kustomization).objects
        let stack = try ResourceBudget(of: objects)
        let total = stack + (try Self.ingressController()) + Self.kindControlPlane
        print("resources \(kustomization.rawValue): stack \(stack); with ingress-nginx and kind: \(total)")
        #expect(Self.problems(fitting: total) == [])
    }

    @Test("a stack that asks too much is reported")
    func oversizedStackIsReported() async throws {
        var objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        objects = objects.replacing("Deployment", "authentik-server") {
            $0.setting("spec.replicas", to: 6)
        }
        let total = try ResourceBudget(of: objects) + (try Self.ingressController()) + Self.kindControlPlane
        let problems = Self.problems(fitting: total)
        #expect(problems.contains { $0.hasPrefix("memory limits") })
        #expect(problems.contains { $0.hasPrefix("memory requests") } == false)
    }

    @Test("quantities are read the way Kubernetes writes them")
    func quantities() throws {
        #expect(try ResourceBudget.millicores("250m") == 250)
        #expect(try ResourceBudget.millicores("1") == 1000)
        #expect(try ResourceBudget.millicores("0.5") == 500)
        #expect(try ResourceBudget.millicores(2) == 2000)
        #expect(try ResourceBudget.bytes("256Mi") == 256 * ResourceBudget.mebibyte)
        #expect(try ResourceBudget.bytes("1Gi") == ResourceBudget.gibibyte)
        #expect(try ResourceBudget.bytes("512M") == 512_000_000)
        #expect(throws: ResourceBudget.QuantityError.self) { try ResourceBudget.bytes("lots") }
    }
}
