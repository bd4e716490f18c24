import Components
import Foundation
import ProvisionCore
import Testing
import TestSupport

/// Follows docs/architecture.md's "Adding a component" as a new team member would, on a
/// copy of the repository: the guide's type (compiled here), its kustomization with
/// manifests and secrets.example.yaml under k8s/base/core/, one line in
/// k8s/base/kustomization.yaml, its route with the edge, and one entry in the catalog. Then `plan` and `components` list it and `up --only` deploys it against
/// the fake tools, waiting for its Deployment. Once someone really adds the component, the
/// test uses theirs instead and keeps passing.
@Suite("following the add-a-component guide")
struct GuideFollowingTests {
    static let id: ComponentID = "core-backend"

    /// The catalog after step 3 of the guide.
    static var catalog: [any Component] {
        StackCatalog.component(id) != nil ? StackCatalog.all : StackCatalog.all + [CoreBackendComponent()]
    }

    /// Steps 1 to 3 of the guide in the world's copy of k8s/, unless the repository has them.
    static func addManifests(to world: FakeWorld) throws {
        let k8s = world.repository.appending(path: "k8s")
        let folder = k8s.appending(path: "base/core")
        guard !FileManager.default.fileExists(atPath: folder.path) else { return }
        let guide = try Repository.read("docs/architecture.md")
        let kustomization = try #require(guide.firstMatch(of: /```yaml\n# k8s\/base\/core\/kustomization.yaml\n((?:.|\n)*?)```/)?.1)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try String(kustomization).write(to: folder.appending(path: "kustomization.yaml"), atomically: true, encoding: .utf8)
        // What k8s/README.md's "Deploying Core Backend" asks for, reduced to what provision reads.
        let files = [
            "deployment.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: core-backend}
                spec:
                  selector: {matchLabels: {app: core-backend}}
                  template:
                    metadata: {labels: {app: core-backend}}
                    spec:
                      containers:
                        - name: api
                          image: example.invalid/core-backend:1.0.0
                          env:
                            - name: DATABASE_PASSWORD
                              valueFrom: {secretKeyRef: {name: core-backend-credentials, key: DATABASE_PASSWORD}}
                """,
            "service.yaml": """
                apiVersion: v1
                kind: Service
                metadata: {name: core-backend}
                spec: {selector: {app: core-backend}, ports: [{port: 3000}]}
                """,
            "secrets.example.yaml": """
                # Documentation only: provision generates the real Secret.
                apiVersion: v1
                kind: Secret
                metadata: {name: core-backend-credentials, namespace: staging-core}
                type: Opaque
                stringData: {DATABASE_PASSWORD: <32-random-characters>}
                """,
            "networkpolicies.yaml": """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: default-deny-all}
                spec: {podSelector: {}, policyTypes: [Ingress]}
                """,
        ]
        for (name, text) in files {
            try text.write(to: folder.appending(path: name), atomically: true, encoding: .utf8)
        }
        try addResource("core", to: k8s.appending(path: "base/kustomization.yaml"))
        // Step 3: its route, with the edge.
        let edge = k8s.appending(path: "components/edge-gateway-api")
        let route = try #require(guide.firstMatch(
            of: /```yaml\n# k8s\/components\/edge-gateway-api\/core-backend-route.yaml\n((?:.|\n)*?)```/)?.1)
        try String(route).write(to: edge.appending(path: "core-backend-route.yaml"), atomically: true, encoding: .utf8)
        try addResource("core-backend-route.yaml", to: edge.appending(path: "kustomization.yaml"))
        // ... and for the retired ingress-nginx, authentik's two objects there with this service's names.
        let seedEdge = k8s.appending(path: "components/edge-ingress-nginx")
        try """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: core-backend
              namespace: staging-core
              labels: {app: core-backend, wrightnow/component: core-backend}
            spec:
              ingressClassName: nginx
              rules:
                - host: localhost
                  http:
                    paths:
                      - {path: /api/, pathType: Prefix, backend: {service: {name: core-backend, port: {number: 3000}}}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: core-backend-from-ingress-nginx
              namespace: staging-core
              labels: {wrightnow/component: core-backend}
            spec:
              podSelector: {matchLabels: {app: core-backend}}
              policyTypes: [Ingress]
              ingress:
                - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
                  ports: [{protocol: TCP, port: 3000}]
            """.write(to: seedEdge.appending(path: "core-backend-ingress.yaml"), atomically: true, encoding: .utf8)
        try addResource("core-backend-ingress.yaml", to: seedEdge.appending(path: "kustomization.yaml"))
    }

    /// One line at the top of a kustomization's `resources:`.
    static func addResource(_ resource: String, to kustomization: URL) throws {
        var text = try String(contentsOf: kustomization, encoding: .utf8)
        let resources = try #require(text.range(of: "resources:\n"), "\(kustomization.path) has no resources:")
        text.insert(contentsOf: "  - \(resource)\n", at: resources.upperBound)
        try text.write(to: kustomization, atomically: true, encoding: .utf8)
    }

    @Test("plan and components list the new service after its dependencies")
    func planAndComponents() async throws {
        let world = try FakeWorld()
        try Self.addManifests(to: world)
        let provision = InProcess(world: world, catalog: Self.catalog)

        let components = try await provision.run("components")
        #expect(components.exitCode == 0, "\(components)")
        #expect(components.standardOutput.contains("core-backend"))

        let plan = try await provision.run("plan")
        #expect(plan.exitCode == 0, "\(plan)")
        let expected = try Plan(components: Self.catalog)
        let waves = expected.waves
        let coreWave = try #require(waves.firstIndex { $0.contains(Self.id) })
        #expect(plan.standardOutput.contains("wave \(coreWave + 1): "))
        for dependency in CoreBackendComponent().dependencies {
            let wave = try #require(waves.firstIndex { $0.contains(dependency) })
            #expect(wave < coreWave, "\(dependency) must come before core-backend")
        }
        // The guide: "in the wave after the edge" (which comes after PostgreSQL and Redis start).
        #expect(waves.firstIndex { $0.contains("edge") } == coreWave - 1)
    }

    @Test("up --only core-backend deploys it with its dependencies and waits for its Deployment")
    func upDeploysAndWaits() async throws {
        let world = try FakeWorld()
        try Self.addManifests(to: world)
        let provision = InProcess(world: world, catalog: Self.catalog)

        let up = try await provision.run("up", "--only", "core-backend")
        #expect(up.exitCode == 0, "\(up)")
        #expect(world.events.contains("applied Deployment/core-backend"))
        #expect(world.events.contains("ready deployment/core-backend"))
        // Its Secret went to its own namespace before its objects.
        let secret = try #require(world.events.firstIndex(of: "applied Secret/core-backend-credentials"))
        #expect(secret < world.events.firstIndex(of: "applied Deployment/core-backend")!)
        // Its smoke check went through the route it added, after its route was attached.
        #expect(world.events.contains("ready httproute/core-backend"))
        #expect(world.calls.contains { $0.hasPrefix("curl") && $0.contains("/api/health") })
        // Its access note is in the summary.
        #expect(up.standardOutput.contains("core-backend:\n  URL:"))

        let history = try await provision.run("history", "--json")
        #expect(history.standardOutput.contains("core-backend"))
    }

    @Test("through the seed's ingress-nginx it is reached by its Ingress, and no HTTPRoute is applied")
    func upThroughIngressNginx() async throws {
        let world = try FakeWorld()
        try Self.addManifests(to: world)
        let provision = InProcess(world: world, catalog: Self.catalog)

        let up = try await provision.run("up", "--only", "core-backend", "--overlay", "local-ingress-nginx")
        #expect(up.exitCode == 0, "\(up)")
        #expect(world.events.contains("applied Ingress/core-backend"), "\(world.events)")
        #expect(!world.events.contains { $0.contains("HTTPRoute") }, "\(world.events)")
        #expect(world.calls.contains { $0.hasPrefix("curl") && $0.contains("/api/health") })
    }
}
