import Testing
@testable import ProvisionCore

@Suite("Plan")
struct PlanTests {
    /// The shape of the real stack, with ids only.
    let stack: [any Component] = [
        TestComponent("authentik", dependsOn: ["postgres-pgvector", "namespaces", "storage", "ingress-nginx"]),
        TestComponent("redis", dependsOn: ["namespaces", "storage"]),
        TestComponent("postgres-pgvector", dependsOn: ["namespaces", "storage"]),
        TestComponent("ingress-nginx"),
        TestComponent("storage"),
        TestComponent("namespaces"),
        TestComponent("authentik-redis", dependsOn: ["namespaces"], optional: true),
    ]

    @Test func ordersDependenciesFirstWithTiesBrokenByID() throws {
        let plan = try Plan(components: stack)
        #expect(plan.order == ["ingress-nginx", "namespaces", "storage", "postgres-pgvector", "authentik", "redis"])
        #expect(plan.steps.map(\.id) == plan.order)
        #expect(plan.waves == [["ingress-nginx", "namespaces", "storage"], ["postgres-pgvector", "redis"], ["authentik"]])
        #expect(plan.dependencies(of: "redis") == ["namespaces", "storage"])
        #expect(plan.dependents(of: "storage") == ["postgres-pgvector", "authentik", "redis"])
        #expect(plan.transitiveDependents(of: "postgres-pgvector") == ["authentik"])
        #expect(plan.component("redis")?.id == "redis")
        #expect(plan.component("authentik-redis") == nil)
    }

    @Test func sameInputInAnyOrderGivesSameOrder() throws {
        let forward = try Plan(components: stack)
        let backward = try Plan(components: stack.reversed())
        let rotated = try Plan(components: Array(stack[3...] + stack[..<3]))
        #expect(forward.order == backward.order)
        #expect(forward.order == rotated.order)
        #expect(forward.waves == backward.waves)
    }

    @Test func optionalComponentsOnlyWhenAskedFor() throws {
        #expect(try !Plan(components: stack).order.contains("authentik-redis"))
        #expect(try Plan(components: stack, includeOptional: true).order.contains("authentik-redis"))
        #expect(try Plan(components: stack, selecting: ["authentik-redis"]).order == ["namespaces", "authentik-redis"])
    }

    @Test func selectingASubsetPullsInItsDependencies() throws {
        let plan = try Plan(components: stack, selecting: ["postgres-pgvector"])
        #expect(plan.order == ["namespaces", "storage", "postgres-pgvector"])
        let two = try Plan(components: stack, selecting: ["redis", "ingress-nginx"])
        #expect(two.order == ["ingress-nginx", "namespaces", "storage", "redis"])
    }

    @Test func unknownSelectionIsNamedWithTheChoices() {
        #expect(throws: PlanError.unknownSelection("postgres", known: stack.map(\.id).sorted())) {
            try Plan(components: stack, selecting: ["postgres"])
        }
        let message = String(describing: PlanError.unknownSelection("postgres", known: ["postgres-pgvector", "redis"]))
        #expect(message.contains("`postgres`"))
        #expect(message.contains("fix: choose one of: postgres-pgvector, redis"))
    }

    @Test func duplicateIDIsRejected() {
        let components: [any Component] = [TestComponent("redis"), TestComponent("namespaces"), TestComponent("redis")]
        #expect(throws: PlanError.duplicateID("redis")) { try Plan(components: components) }
        #expect(String(describing: PlanError.duplicateID("redis")).contains("`redis`"))
    }

    @Test func missingDependencyNamesComponentAndMissingID() throws {
        let components: [any Component] = [TestComponent("authentik", dependsOn: ["postgres"]), TestComponent("redis")]
        let error = try #require(throws: PlanError.self) { try Plan(components: components) }
        #expect(error == .unknownDependency(component: "authentik", missing: "postgres"))
        let message = String(describing: error)
        #expect(message.contains("`authentik` depends on `postgres`, which is not registered"))
        #expect(message.contains("fix:"))
    }

    @Test func cycleIsReportedWithItsPath() throws {
        let components: [any Component] = [
            TestComponent("a", dependsOn: ["b"]),
            TestComponent("b", dependsOn: ["c"]),
            TestComponent("c", dependsOn: ["a"]),
            TestComponent("d"),
        ]
        let error = try #require(throws: PlanError.self) { try Plan(components: components) }
        #expect(error == .cycle(["a", "b", "c", "a"]))
        #expect(String(describing: error).contains("a -> b -> c -> a"))
    }

    @Test func cycleBehindAnAcyclicPrefixShowsOnlyTheLoop() throws {
        let components: [any Component] = [
            TestComponent("app", dependsOn: ["db"]),
            TestComponent("db", dependsOn: ["storage"]),
            TestComponent("storage", dependsOn: ["db"]),
        ]
        let error = try #require(throws: PlanError.self) { try Plan(components: components) }
        #expect(error == .cycle(["db", "storage", "db"]))
    }

    @Test func selfDependencyIsACycle() {
        #expect(throws: PlanError.cycle(["a", "a"])) { try Plan(components: [TestComponent("a", dependsOn: ["a"])]) }
    }

    @Test func repeatedDependencyIsHarmless() throws {
        let plan = try Plan(components: [TestComponent("a"), TestComponent("b", dependsOn: ["a", "a"])])
        #expect(plan.order == ["a", "b"])
        #expect(plan.dependencies(of: "b") == ["a"])
        #expect(plan.dependents(of: "a") == ["b"])
    }
}
