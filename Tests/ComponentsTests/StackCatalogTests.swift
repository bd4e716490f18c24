import Components
import Foundation
import ProvisionCore
import Testing

@Suite("StackCatalog")
struct StackCatalogTests {
    @Test func idsAreUniqueAndEveryComponentSaysWhatItIs() {
        let ids = StackCatalog.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for component in StackCatalog.all {
            #expect(!component.summary.isEmpty, "\(component.id) has no summary")
            #expect(StackCatalog.component(component.id)?.id == component.id)
        }
        #expect(AuthentikRedisComponent().isOptional)
    }

    @Test func catalogPlansWithAndWithoutOptionalParts() throws {
        let plan = try Plan(components: StackCatalog.all)
        #expect(Set(plan.order) == Set(StackCatalog.all.filter { !$0.isOptional }.map(\.id)))
        let everything = try Plan(components: StackCatalog.all, includeOptional: true)
        #expect(Set(everything.order) == Set(StackCatalog.all.map(\.id)))
    }

    /// authentik's route must reach the API server only once its edge is ready: the Gateway
    /// programmed (after its CRDs and controller), or the ingress-nginx webhook answering.
    @Test func authentikWaitsForTheEdge() throws {
        let plan = try Plan(components: StackCatalog.all)
        let order = plan.order
        #expect(plan.dependencies(of: "authentik").contains("edge"))
        for edge: ComponentID in ["gateway-crds", "nginx-gateway-fabric", "ingress-nginx", "edge"] {
            #expect(order.firstIndex(of: edge)! < order.firstIndex(of: "authentik")!, "\(edge)")
        }
        #expect(plan.dependencies(of: "edge") == ["ingress-nginx", "nginx-gateway-fabric"])
        #expect(plan.dependencies(of: "nginx-gateway-fabric") == ["gateway-crds"])
        // Ready means what the manifests hold: CRDs established, the controller and its Jobs,
        // the GatewayClass accepted, the Gateway programmed; nothing declared twice in Swift.
        for component in StackCatalog.all where ["gateway-crds", "nginx-gateway-fabric", "ingress-nginx", "edge"].contains(component.id) {
            #expect(component.readiness == .workloads, "\(component.id)")
        }
    }

    /// Independent parts deploy side by side: postgres and redis wait for nothing but
    /// namespaces and storage, and the edge's CRDs and ingress-nginx for nothing at all.
    @Test func independentPartsDoNotWaitForEachOther() throws {
        let plan = try Plan(components: StackCatalog.all)
        #expect(plan.dependencies(of: "postgres-pgvector") == ["namespaces", "storage"])
        #expect(plan.dependencies(of: "redis") == ["namespaces", "storage"])
        #expect(plan.dependencies(of: "ingress-nginx").isEmpty)
        #expect(plan.dependencies(of: "gateway-crds").isEmpty)
        let wave = try #require(plan.waves.first { $0.contains("postgres-pgvector") })
        #expect(wave.contains("redis"))
        #expect(plan.waves.first?.contains("gateway-crds") == true)
    }

    /// Selecting one component pulls in what it needs and nothing else.
    @Test func selectingAuthentikPullsInItsDependencies() throws {
        let plan = try Plan(components: StackCatalog.all, selecting: ["authentik"])
        #expect(Set(plan.order) == [
            "namespaces", "storage", "gateway-crds", "nginx-gateway-fabric", "ingress-nginx", "edge", "authentik",
        ])
    }

    @Test func secretsAreTheBriefsExactly() {
        let secrets = StackCatalog.all.flatMap(\.secrets)
        let byName = Dictionary(uniqueKeysWithValues: secrets.map { ($0.name, $0.keys) })
        #expect(byName["postgres-credentials"]?.map(\.key) == ["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"])
        #expect(byName["postgres-credentials"]?.map(\.value) == [.literal("postgres"), .literal("wrightnow"), .random(length: 32)])
        #expect(byName["redis-credentials"]?.map(\.value) == [.random(length: 32)])
        #expect(byName["authentik-credentials"]?.map(\.key) == [
            "AUTHENTIK_SECRET_KEY", "AUTHENTIK_POSTGRESQL__PASSWORD", "AUTHENTIK_BOOTSTRAP_PASSWORD",
            "AUTHENTIK_BOOTSTRAP_TOKEN", "AUTHENTIK_BOOTSTRAP_EMAIL",
        ])
        #expect(byName["authentik-credentials"]?.map(\.value) == [
            .random(length: 64), .random(length: 32), .random(length: 24), .random(length: 48),
            .literal("akadmin@wrightnow.localhost"),
        ])
    }
}
