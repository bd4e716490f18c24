import Components
import Foundation
import ProvisionCore
import Testing
import TestSupport
@testable import Kubernetes

/// Each run renders every kustomization it needs once and parses every YAML stream once:
/// the components' objects are worked out once and handed to apply, wait, smoke checks, the
/// unchanged check, the record and `down`. Counted where the work happens (`ManifestWork`).
@Suite("manifest work per run")
struct ManifestWorkTests {
    /// What one run of `plan` must render and parse: each kustomization its components come
    /// from (the overlay, a kustomization of their own) once, its output once, and each upstream
    /// manifest the overlay selects once.
    static func expected(_ plan: Plan, in world: FakeWorld) throws -> (renders: Int, parses: Int) {
        let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: world.repository.appending(path: "k8s"), overlay: "local")
        var kustomizations: Set<URL> = []
        var pinned = 0
        for component in plan.steps {
            switch component.resources {
            case .overlay: kustomizations.insert(cluster.overlayDirectory)
            case .kustomization(let path): kustomizations.insert(cluster.manifestsRoot.appending(path: path))
            case .pinnedManifest(let name): if try OverlayPins(cluster: cluster).file(named: name) != nil { pinned += 1 }
            }
        }
        return (kustomizations.count, kustomizations.count + pinned)
    }

    /// Runs `provision` with a counter of its own, so tests running alongside do not count.
    static func counted(_ world: FakeWorld, _ arguments: String...) async throws -> ManifestWork {
        let work = ManifestWork()
        let outcome = try await ManifestWork.$counter.withValue(work) { try await InProcess(world: world).run(arguments) }
        #expect(outcome.exitCode == 0, "\(arguments): \(outcome)")
        return work
    }

    @Test("a first up, a no-op up and status each render and parse once")
    func upAndStatus() async throws {
        let world = try FakeWorld()
        let expected = try Self.expected(try Plan(components: StackCatalog.all), in: world)
        // The default stack has upstream manifests too, so a second parse of them would show.
        #expect(expected.parses > expected.renders)
        for command in ["up", "up", "status"] {
            let work = try await Self.counted(world, command)
            #expect((work.renders, work.parses) == expected, "provision \(command)")
        }
    }

    @Test("down on a cluster provision did not create renders and parses once for every component it removes")
    func removeFromAnExistingCluster() async throws {
        let world = try ExistingClusterTests.world()
        _ = try await Self.counted(world, "up", "--backend", "existing", "--context", "team-staging")
        // `down` removes every registered component, optional ones included.
        let expected = try Self.expected(try Plan(components: StackCatalog.all, includeOptional: true), in: world)
        let work = try await Self.counted(world, "down", "--backend", "existing", "--context", "team-staging")
        #expect((work.renders, work.parses) == expected)
    }
}
