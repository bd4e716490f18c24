import Components
import Foundation
import Kubernetes
import ProcessRunning
import ProvisionCore
import TestSupport
import Testing

/// The components' declarations checked against what `k8s/` really renders.
@Suite("components against the rendered manifests")
struct ComponentManifestTests {
    @Test func everyRenderedLabelIsAComponentAndEveryOverlayComponentIsRendered() async throws {
        let rendered = try RenderedManifests(yaml: try await RenderedStack.render())
        let known = Set(StackCatalog.all.map(\.id))
        for id in rendered.componentIDs {
            #expect(known.contains(id), "the overlay labels objects with unknown component \(id)")
        }
        for component in StackCatalog.all where !component.isOptional && component.resources == .overlay {
            #expect(rendered.subset(for: component.id) != nil, "the overlay renders nothing for \(component.id)")
        }
        // Optional parts stay out of the default overlay: `kubectl apply -k` never runs them.
        // An optional pinned manifest (Argo CD) may have there only the Namespace its pin places
        // its objects in, which its own step applies first.
        for component in StackCatalog.all where component.isOptional {
            let owned = rendered.subset(for: component.id)?.documents ?? []
            if case .pinnedManifest = component.resources {
                #expect(owned.allSatisfy { $0.kind == "Namespace" }, "\(component.id) renders \(owned.map(\.reference))")
            } else {
                #expect(owned.isEmpty, "\(component.id) is optional but in the overlay")
            }
        }
    }

    @Test func optionalComponentsRenderTheirOwnKustomizationOrPin() async throws {
        for component in StackCatalog.all where component.isOptional {
            switch component.resources {
            case .kustomization(let path):
                let rendered = try RenderedManifests(yaml: try await RenderedStack.render(path))
                #expect(rendered.componentIDs == [component.id])
            case .pinnedManifest(let name):
                // Every overlay can deploy it: each selects the pin.
                for overlay in ["local", "local-ingress-nginx", "cluster"] {
                    #expect(try Self.deployment(overlay: overlay).pinFile(name) != nil, "\(overlay) selects no \(name) for \(component.id)")
                }
            case .overlay:
                Issue.record("\(component.id) is optional but in the overlay")
            }
        }
    }

    /// The deployment layer on the repository's `k8s/` with `overlay`, to ask where it finds pins.
    static func deployment(overlay: String) -> KubernetesDeployment {
        KubernetesDeployment(
            kubectl: Kubectl(runner: SubprocessCommandRunner(), context: "x"),
            manifests: ManifestSource(runner: SubprocessCommandRunner()),
            vault: SecretVault(directory: URL(filePath: "/nonexistent")),
            cluster: ClusterSpec(name: "x", manifestsRoot: Repository.k8s, overlay: overlay))
    }

    /// Every upstream manifest a component installs is pinned by tag and digest in `k8s/`:
    /// the edge's CRDs and controllers, found where the overlays that select them look.
    @Test func edgeManifestsArePinnedByTagAndDigestInK8s() throws {
        func pinName(_ component: any Component) -> String? {
            if case .pinnedManifest(let name) = component.resources { name } else { nil }
        }
        let pins: [(String, String?, [String])] = [
            ("local", pinName(GatewayCRDsComponent()), [
                "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml",
                "https://raw.githubusercontent.com/nginx/nginx-gateway-fabric/v2.6.7/deploy/crds.yaml",
            ]),
            ("local", pinName(NginxGatewayFabricComponent()), [
                "https://raw.githubusercontent.com/nginx/nginx-gateway-fabric/v2.6.7/deploy/nodeport/deploy.yaml",
            ]),
            ("local-ingress-nginx", pinName(IngressNginxComponent()), [
                "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml",
            ]),
            ("cluster", pinName(ArgoCDComponent()), [
                "https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml",
            ]),
        ]
        for (overlay, pinned, urls) in pins {
            let name = try #require(pinned)
            let file = try #require(try Self.deployment(overlay: overlay).pinFile(name), "\(overlay) selects no \(name)")
            let loaded = try ManifestPin.loadAll(from: file.url)
            #expect(loaded.map(\.url.absoluteString) == urls, "\(file.shown)")
            #expect(loaded.allSatisfy { $0.sha256.count == 64 })
        }
    }

    /// Every Secret a rendered object reads is declared by a component (so `provision`
    /// creates it), in the right namespace, and every declared key is read by something.
    @Test func secretReferencesMatchTheDeclaredSecrets() async throws {
        var referenced: [String: Set<String>] = [:]  // "namespace/name" -> keys ("*" for the whole secret)
        for (document, object) in try await RenderedStack.objects() {
            let namespace = document.namespace ?? "default"
            for dictionary in ObjectWalk.dictionaries(in: object) {
                if let ref = dictionary["secretKeyRef"] as? [String: Any], let name = ref["name"] as? String,
                    let key = ref["key"] as? String
                {
                    referenced["\(namespace)/\(name)", default: []].insert(key)
                }
                if let ref = dictionary["secretRef"] as? [String: Any], let name = ref["name"] as? String {
                    referenced["\(namespace)/\(name)", default: []].insert("*")
                }
                if let name = dictionary["secretName"] as? String {
                    referenced["\(namespace)/\(name)", default: []].insert("*")
                }
            }
        }
        var declared: [String: Set<String>] = [:]
        for spec in StackCatalog.all.filter({ !$0.isOptional }).flatMap(\.secrets) {
            declared["\(spec.namespace)/\(spec.name)", default: []].formUnion(spec.keys.map(\.key))
        }
        for (secret, keys) in referenced {
            let known = try #require(declared[secret], "\(secret) is read by the manifests but no component declares it")
            for key in keys where key != "*" {
                #expect(known.contains(key), "\(secret) key \(key) is read but not declared")
            }
        }
        for (secret, keys) in declared {
            let used = referenced[secret] ?? []
            #expect(!used.isEmpty, "\(secret) is declared but nothing reads it")
            if !used.contains("*") {
                #expect(keys.subtracting(used).isEmpty, "\(secret) declares unread keys \(keys.subtracting(used).sorted())")
            }
        }
    }

    /// Readiness comes from the rendered objects: each overlay component waits for exactly
    /// the workloads it renders, and any check it declares on top names something rendered.
    @Test func readinessFollowsTheRenderedWorkloads() async throws {
        let rendered = try RenderedManifests(yaml: try await RenderedStack.render())
        let all = rendered.allDocuments
        for component in StackCatalog.all where component.resources == .overlay {
            let owned = rendered.subset(for: component.id)?.documents ?? []
            let derived = component.readiness.includesWorkloads ? WorkloadReadiness.checks(for: owned) : []
            let workloads = owned.filter {
                ["Deployment", "StatefulSet", "DaemonSet", "Job", "Namespace", "Gateway", "HTTPRoute"].contains($0.kind)
            }
            #expect(derived.count == workloads.count, "\(component.id) waits for \(derived), renders \(workloads.map(\.reference))")
            for check in component.readiness.checks {
                switch check {
                case .rolledOut(_, let name, let namespace), .jobCompleted(let name, let namespace):
                    #expect(all.contains { $0.name == name && $0.namespace == namespace },
                            "\(component.id) waits for \(name) in \(namespace), which the overlay does not render")
                case .namespaceActive(let namespace):
                    #expect(all.contains { $0.kind == "Namespace" && $0.name == namespace },
                            "\(component.id) waits for namespace \(namespace), which the overlay does not render")
                case .conditionTrue(_, let name, let namespace, _):
                    #expect(all.contains { $0.name == name && $0.namespace == namespace },
                            "\(component.id) waits for \(name), which the overlay does not render")
                case .routeAttached(_, let name, let namespace):
                    #expect(all.contains { $0.name == name && $0.namespace == namespace },
                            "\(component.id) waits for route \(name), which the overlay does not render")
                }
            }
        }
        // The namespaces component is ready when every namespace it renders is Active.
        let namespaces = rendered.subset(for: NamespacesComponent().id)?.documents.filter { $0.kind == "Namespace" } ?? []
        #expect(!namespaces.isEmpty)
        #expect(WorkloadReadiness.checks(for: rendered.subset(for: NamespacesComponent().id)?.documents ?? [])
            == namespaces.map { .namespaceActive($0.name) })
    }

    /// Every Secret a component declares goes to a namespace the overlay creates.
    @Test func secretsGoToRenderedNamespaces() async throws {
        let rendered = try RenderedManifests(yaml: try await RenderedStack.render())
        let namespaces = Set(rendered.allDocuments.filter { $0.kind == "Namespace" }.map(\.name))
        for component in StackCatalog.all {
            for spec in component.secrets {
                #expect(namespaces.contains(spec.namespace),
                        "\(component.id)'s secret \(spec.name) goes to \(spec.namespace), which k8s/ does not create")
            }
        }
    }

    /// Smoke checks exec into containers that exist, with what they need in their environment.
    @Test func smokeChecksMatchTheRenderedPods() async throws {
        let objects = try await RenderedStack.objects()
        func workload(_ kind: String, _ name: String) -> [String: Any]? {
            objects.first { $0.document.kind == kind && $0.document.name == name }?.object
        }
        // postgres-0 is the first pod of StatefulSet postgres; deployment/redis a pod of Deployment redis.
        let postgres = try #require(workload("StatefulSet", "postgres"))
        let redis = try #require(workload("Deployment", "redis"))
        for check in PostgresPgvectorComponent().smokeChecks + RedisComponent().smokeChecks {
            guard case .exec(let namespace, let pod, let container, _, let expecting) = check else {
                Issue.record("unexpected smoke check \(check)")
                continue
            }
            #expect(namespace == StackNamespaces.infra && expecting != nil)
            let object = pod == "postgres-0" ? postgres : pod == "deployment/redis" ? redis : nil
            let names = ObjectWalk.containers(of: try #require(object, "no workload for pod \(pod)")).compactMap { $0["name"] as? String }
            #expect(names.contains(container ?? ""), "\(pod) has no container \(container ?? "-")")
        }
        // redis-cli authenticates from the environment the smoke check reads.
        let redisEnv = ObjectWalk.containers(of: redis).first { $0["name"] as? String == "redis" }?["env"] as? [[String: Any]] ?? []
        let envNames = Set(redisEnv.compactMap { $0["name"] as? String })
        #expect(!envNames.isDisjoint(with: ["REDISCLI_AUTH", "REDIS_PASSWORD"]))
        // The database whose vector extension is checked is one init-db.sh prepares.
        let config = try #require(objects.first { $0.document.kind == "ConfigMap" && $0.document.name == "postgres-config" })
        let databases = ((config.object["data"] as? [String: Any])?["VECTOR_DATABASES"] as? String ?? "").split(separator: " ")
        #expect(databases.contains(Substring(PostgresPgvectorComponent.database)))
    }

    /// authentik's smoke URL goes through the rendered Ingress: host localhost, prefix /auth/.
    @Test func authentikSmokeURLIsServedByTheRenderedRoute() async throws {
        let objects = try await RenderedStack.objects()
        let route = try #require(objects.first { $0.document.kind == "HTTPRoute" && $0.document.labels[ComponentLabel.key] == "authentik" })
        let spec = route.object["spec"] as? [String: Any] ?? [:]
        let hostnames = spec["hostnames"] as? [String] ?? []
        let paths = (spec["rules"] as? [[String: Any]] ?? []).flatMap { rule in
            (rule["matches"] as? [[String: Any]] ?? []).compactMap { ($0["path"] as? [String: Any])?["value"] as? String }
        }
        for check in AuthentikComponent().smokeChecks {
            let url: String
            switch check {
            case .httpGet(let checked, _), .webPage(let checked): url = checked
            default: continue
            }
            let components = try #require(URLComponents(string: url))
            #expect(components.host == "localhost" && hostnames.contains("localhost"))
            #expect(paths.contains { components.path.hasPrefix($0) }, "no route path on localhost serves \(components.path)")
        }
    }
}
