import Testing

/// The NetworkPolicies of the rendered stack, evaluated together: every flow the stack needs
/// is allowed, and the ones it must not have stay closed.
@Suite("NetworkPolicies allow exactly the stack's flows")
struct NetworkPolicyTests {
    typealias Endpoint = NetworkPolicies.Endpoint
    typealias Flow = NetworkPolicies.Flow

    /// Pods outside the rendered manifests, as they run on kind. The Gateway's data plane is
    /// made by NGINX Gateway Fabric in the Gateway's namespace, with these labels
    /// (internal/controller/provisioner/objects.go at v2.6.7).
    static let gatewayDataPlane = Endpoint(
        name: "wrightnow-nginx", namespace: "nginx-gateway",
        labels: ["gateway.networking.k8s.io/gateway-name": "wrightnow", "app.kubernetes.io/name": "wrightnow-nginx",
                 "app.kubernetes.io/instance": "nginx-gateway", "app.kubernetes.io/managed-by": "nginx-gateway-nginx"],
        ip: "10.244.1.11")
    static let ingressController = Endpoint(
        name: "ingress-nginx-controller", namespace: "ingress-nginx",
        labels: ["app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller",
                 "app.kubernetes.io/instance": "ingress-nginx"],
        ip: "10.244.1.10")
    static let coreDNS = Endpoint(name: "coredns", namespace: "kube-system", labels: ["k8s-app": "kube-dns"], ip: "10.244.1.2")
    static let coreBackend = Endpoint(name: "core-backend", namespace: "staging-core", labels: ["app": "core-backend"], ip: "10.244.1.20")
    static let aiService = Endpoint(name: "ai-service", namespace: "staging-ai", labels: ["app": "ai-service"], ip: "10.244.1.21")
    static let webClient = Endpoint(name: "web-client", namespace: "staging-web", labels: ["app": "web-client"], ip: "10.244.1.22")
    /// A pod of no namespace the stack plans for, with no policy of its own: what a widened
    /// rule admits shows on it whatever services a team adds (and restricts) later.
    static let stranger = Endpoint(name: "stranger", namespace: "default", labels: ["app": "stranger"], ip: "10.244.1.30")
    /// Outside the cluster: a laptop on the network, a public web server (documentation ranges).
    static let outsider = Endpoint(name: "203.0.113.10", ip: "203.0.113.10")
    static let publicHTTPS = Endpoint(name: "198.51.100.7", ip: "198.51.100.7")

    struct Stack {
        var objects: [KubeObject]
        var pods: [String: Endpoint]

        init(_ objects: [KubeObject]) {
            self.objects = objects
            pods = Dictionary(uniqueKeysWithValues: NetworkPolicies.pods(of: objects).map { ($0.name, $0) })
        }

        /// The edge this rendering selects (its Gateway's data plane, or the seed's ingress-nginx),
        /// and the one it does not; a kustomization without an edge (k8s/base) has neither.
        var edge: Endpoint? {
            if objects.contains(where: { $0.kind == "Gateway" }) { return NetworkPolicyTests.gatewayDataPlane }
            if objects.contains(where: { $0.kind == "Ingress" }) { return NetworkPolicyTests.ingressController }
            return nil
        }
        var otherEdges: [Endpoint] {
            [NetworkPolicyTests.gatewayDataPlane, NetworkPolicyTests.ingressController].filter { $0.name != edge?.name }
        }

        func pod(_ name: String) throws -> Endpoint { try #require(pods[name], "no pod \(name) rendered") }

        /// Required flows, including those of the optional authentik Redis when it is rendered.
        func required() throws -> [Flow] {
            var flows: [Flow] = [
                Flow(from: try pod("authentik-server"), to: try pod("authentik-postgres"), port: 5432),
                Flow(from: try pod("authentik-worker"), to: try pod("authentik-postgres"), port: 5432),
                Flow(from: try pod("authentik-server"), to: NetworkPolicyTests.publicHTTPS, port: 443),
                Flow(from: try pod("authentik-worker"), to: NetworkPolicyTests.publicHTTPS, port: 443),
            ]
            for app in [NetworkPolicyTests.coreBackend, NetworkPolicyTests.aiService] {
                flows.append(Flow(from: app, to: try pod("postgres"), port: 5432))
                flows.append(Flow(from: app, to: try pod("redis"), port: 6379))
            }
            for pod in pods.values where pod.namespace == "staging-infra" {
                flows.append(Flow(from: pod, to: NetworkPolicyTests.coreDNS, port: 53, proto: "UDP"))
                flows.append(Flow(from: pod, to: NetworkPolicyTests.coreDNS, port: 53, proto: "TCP"))
            }
            if let redis = pods["authentik-redis"] {
                flows.append(Flow(from: try pod("authentik-server"), to: redis, port: 6379))
                flows.append(Flow(from: try pod("authentik-worker"), to: redis, port: 6379))
            }
            if let edge {
                flows.append(Flow(from: edge, to: try pod("authentik-server"), port: 9000))
            }
            return flows
        }

        /// Flows that must stay closed.
        func forbidden() throws -> [Flow] {
            var flows: [Flow] = []
            let databases = [("postgres", 5432), ("redis", 6379), ("authentik-postgres", 5432)]
                + (pods["authentik-redis"].map { _ in [("authentik-redis", 6379)] } ?? [])
            for (name, port) in databases {
                flows.append(Flow(from: NetworkPolicyTests.webClient, to: try pod(name), port: port))
                flows.append(Flow(from: NetworkPolicyTests.ingressController, to: try pod(name), port: port))
                flows.append(Flow(from: NetworkPolicyTests.gatewayDataPlane, to: try pod(name), port: port))
            }
            // Only the selected edge reaches authentik's server.
            for other in otherEdges + [NetworkPolicyTests.stranger] {
                flows.append(Flow(from: other, to: try pod("authentik-server"), port: 9000))
            }
            for (name, port) in [("authentik-postgres", 5432), ("authentik-server", 9000)] + (pods["authentik-redis"].map { _ in [("authentik-redis", 6379)] } ?? []) {
                flows.append(Flow(from: NetworkPolicyTests.coreBackend, to: try pod(name), port: port))
            }
            flows.append(Flow(from: try pod("authentik-server"), to: try pod("postgres"), port: 5432))
            for name in ["postgres", "redis", "authentik-postgres"] {
                flows.append(Flow(from: try pod(name), to: NetworkPolicyTests.publicHTTPS, port: 443))
            }
            // Nothing from outside the cluster reaches staging-infra, on any port a pod declares
            // or one it might open later (8080).
            for pod in pods.values where pod.namespace == "staging-infra" {
                for port in Set(pod.namedPorts.values).union([8080]).sorted() {
                    flows.append(Flow(from: NetworkPolicyTests.outsider, to: pod, port: port))
                }
            }
            return flows
        }

        /// What is wrong, as sentences; empty when the policies are right.
        func problems() throws -> [String] {
            try required().filter { !NetworkPolicies.isAllowed($0, in: objects) }.map { "blocked, but needed: \($0)" }
                + forbidden().filter { NetworkPolicies.isAllowed($0, in: objects) }.map { "allowed, but must be closed: \($0)" }
        }
    }

    @Test("needed flows are open, the others closed", arguments: Kustomization.allCases)
    func renderedPolicies(_ kustomization: Kustomization) async throws {
        let stack = Stack(try await RenderCache.shared.rendering(of: kustomization).objects)
        #expect(try stack.forbidden().count > 10)
        #expect(try stack.problems() == [])
    }

    @Test("emptying the rule that lets the Gateway's data plane reach authentik is reported")
    func emptiedEdgeRule() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects.replacing("NetworkPolicy", "authentik-server-from-edge") { $0.setting("spec.ingress", to: []) }
        #expect(try Stack(broken).problems() == [
            "blocked, but needed: nginx-gateway/wrightnow-nginx -> staging-infra/authentik-server:9000/TCP",
        ])
        // Widened to every namespace, it would admit pods that are not the edge.
        let anywhere = objects.replacing("NetworkPolicy", "authentik-server-from-edge") {
            $0.setting("spec.ingress.0.from", to: [["namespaceSelector": [String: Any]()]])
        }
        let problems = try Stack(anywhere).problems()
        #expect(problems.contains(
            "allowed, but must be closed: ingress-nginx/ingress-nginx-controller -> staging-infra/authentik-server:9000/TCP"), "\(problems)")
        #expect(problems.contains(
            "allowed, but must be closed: default/stranger -> staging-infra/authentik-server:9000/TCP"), "\(problems)")
    }

    @Test("emptying the rule that lets ingress-nginx reach authentik is reported (the seed's edge)")
    func emptiedIngressRule() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localIngressNginxOverlay).objects
        let broken = objects.replacing("NetworkPolicy", "authentik-server-from-ingress-nginx") { $0.setting("spec.ingress", to: []) }
        #expect(try Stack(broken).problems() == [
            "blocked, but needed: ingress-nginx/ingress-nginx-controller -> staging-infra/authentik-server:9000/TCP",
        ])
    }

    @Test("staging-web admitted to PostgreSQL is reported")
    func webReachesDatabase() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects.replacing("NetworkPolicy", "postgres-from-apps") {
            $0.setting("spec.ingress.0.from", to: ["staging-core", "staging-ai", "staging-web"].map {
                ["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": $0]]]
            })
        }
        #expect(try Stack(broken).problems() == [
            "allowed, but must be closed: staging-web/web-client -> staging-infra/postgres:5432/TCP",
        ])
    }

    @Test("without default-deny, a pod no other policy selects is open to the world")
    func withoutDefaultDeny() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects.filter { !($0.kind == "NetworkPolicy" && $0.name == "default-deny-all") }
        #expect(try Stack(broken).problems() == [
            "allowed, but must be closed: 203.0.113.10 -> staging-infra/authentik-worker:8080/TCP",
        ])
    }

    @Test("a rule that admits any address is reported for traffic from outside the cluster")
    func openToTheWorld() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects.replacing("NetworkPolicy", "redis-from-apps") {
            $0.setting("spec.ingress.0.from", to: [["ipBlock": ["cidr": "0.0.0.0/0"]]])
        }
        #expect(try Stack(broken).problems().contains("allowed, but must be closed: 203.0.113.10 -> staging-infra/redis:6379/TCP"))
    }

    @Test("selectors, CIDRs and ports are read as Kubernetes reads them")
    func semantics() {
        #expect(NetworkPolicies.matches([:], ["app": "x"]))
        #expect(NetworkPolicies.matches(["matchExpressions": [["key": "app", "operator": "In", "values": ["a", "b"]]]], ["app": "b"]))
        #expect(!NetworkPolicies.matches(["matchExpressions": [["key": "app", "operator": "In", "values": ["a"]]]], [:]))
        #expect(NetworkPolicies.matches(["matchExpressions": [["key": "app", "operator": "DoesNotExist"]]], [:]))
        #expect(NetworkPolicies.contains("0.0.0.0/0", "203.0.113.10"))
        #expect(NetworkPolicies.contains("10.0.0.0/8", "10.244.0.5"))
        #expect(!NetworkPolicies.contains("172.16.0.0/12", "172.32.0.1"))
    }
}
