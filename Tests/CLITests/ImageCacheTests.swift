import Foundation
import ProvisionCore
import RunHistory
import Testing
import TestSupport

/// Issue 18 end to end against the fake docker, kind and kubectl: the caches outlive the
/// cluster, a re-up after `down` pulls nothing from the internet, a cache that is down only
/// costs the internet pull, and what keeps the caches from starting is a preflight problem.
@Suite("image caches end to end")
struct ImageCacheTests {
    /// The pulls that left the machine for the stack's images (the registry image itself is
    /// pulled by the host's Docker once, to run the caches).
    static func stackPulls(_ world: FakeWorld) -> [String] {
        world.upstreamPulls.filter { !$0.hasSuffix(" by host docker") }
    }

    @Test("down keeps the caches and says so; the next up pulls nothing from the internet and warms nothing up")
    func reUpAfterDownPullsNothing() async throws {
        let world = try FakeWorld()
        #expect(try await world.provision("up").exitCode == 0)
        let first = Self.stackPulls(world)
        #expect(!first.isEmpty)

        try world.clearCalls()
        let down = try await world.provision("down")
        #expect(down.exitCode == 0, "\(down)")
        #expect(down.standardOutput.contains("Kept 3 image caches for the next cluster"), "\(down)")
        // Counting what the caches hold walks every volume: only status asks for it.
        #expect(!world.calls.contains { $0.hasPrefix("docker system df") }, "\(world.calls)")
        #expect(down.standardOutput.contains("`provision down --remove-caches` removes them"))
        let caches = world.containers.filter { $0.labels["io.wrightnow.provision.role"] != nil }
        #expect(caches.count == 3 && caches.allSatisfy(\.isRunning), "\(caches)")

        let again = try await world.provision("up")
        #expect(again.exitCode == 0, "\(again)")
        #expect(Self.stackPulls(world) == first, "an up after down pulled again: \(Self.stackPulls(world).dropFirst(first.count))")
        // The new node has every image, all served by the mirrors from their volumes.
        #expect(!world.nodeImages().isEmpty && world.nodePullFailures().isEmpty)
        let steps = try await world.lastRun().steps
        #expect(steps.first { $0.action == .startCaches }?.note?.contains("3 already running") == true, "\(steps)")
        // A new cluster still warms its images up: the mirrors answer from their volumes.
        #expect(steps.contains { $0.action == .pull })
    }

    @Test("the warm-up pulls overlap creating the cluster, as the history records them")
    func warmUpOverlapsClusterCreation() async throws {
        // kind takes a while to make the cluster; the pulls run meanwhile.
        let world = try FakeWorld(environment: ["FAKE_SLOW": "kind create cluster*", "FAKE_SLOW_SECONDS": "2"])
        #expect(try await world.provision("up").exitCode == 0)
        let steps = try await world.lastRun().steps
        let create = try #require(steps.first { $0.action == .createCluster })
        let pulls = steps.filter { $0.action == .pull }
        #expect(!pulls.isEmpty)
        for pull in pulls {
            #expect(pull.startedAt! >= steps.first { $0.action == .startCaches }!.endedAt!)
            #expect(pull.endedAt! <= create.endedAt!, "\(pull.label) ended after the cluster was made")
        }
    }

    @Test("down --remove-caches removes the containers and volumes as a recorded step; the next up pulls again")
    func removeCaches() async throws {
        let world = try FakeWorld()
        #expect(try await world.provision("up").exitCode == 0)
        let pulled = Self.stackPulls(world).count

        let down = try await world.provision("down", "--remove-caches")
        #expect(down.exitCode == 0, "\(down)")
        #expect(!down.standardOutput.contains("image caches for the next cluster"))
        #expect(world.containers.allSatisfy { $0.labels["io.wrightnow.provision.role"] == nil })
        #expect(world.volumes.isEmpty, "\(world.volumes)")
        let steps = try await world.lastRun().steps
        #expect(steps.map(\.label) == ["delete-cluster", "remove-caches"])
        #expect(steps.last?.note?.hasPrefix("removed image caches: 3 container(s), 3 volume(s)") == true, "\(steps)")

        #expect(try await world.provision("up").exitCode == 0)
        #expect(Self.stackPulls(world).count == 2 * pulled)
    }

    @Test("a mirror that goes down never fails the run: its warm-ups are warnings, the node pulls from the registry itself")
    func mirrorDownFallsBack() async throws {
        // Held while kind makes the cluster, after the caches started; the mirror stops then.
        let world = try FakeWorld(environment: ["FAKE_BLOCK": "kind create cluster *"])
        world.environment["FAKE_BLOCK_UNTIL"] = world.releaseFile.path
        let running = try world.start(["up"])
        try await world.waitUntilBlocked(running)
        try world.stopContainer("provision-mirror-docker-io")
        world.release()
        let result = await running.wait(limit: 300)
        #expect(result.exitCode == 0, "\(result)")
        #expect(try await world.lastRun().run.outcome == .succeeded)

        // containerd went on to docker.io itself for what the stopped mirror serves, whether or
        // not the warm-up had cached it there before the mirror stopped.
        for image in ["docker.io/library/postgres:15.19-alpine3.24", "docker.io/library/redis:8.10.1-alpine3.23"] {
            #expect(world.upstreamPulls.contains("\(image) by node wrightnow"), "\(world.upstreamPulls)")
        }
        #expect(world.nodePullFailures().isEmpty)
        // A warm-up the stopped mirror refused is recorded as failed, with the warning, in a
        // run that succeeded.
        let steps = try await world.lastRun().steps
        for failed in steps.filter({ $0.action == .pull && $0.state == .failed }) {
            #expect(failed.error?.hasPrefix("warning, the run goes on:") == true, "\(failed)")
            #expect(result.standardError.contains("could not warm up \(failed.subject ?? "?") through its cache"))
        }
    }

    @Test("caches that cannot start (their image cannot be pulled) are warnings: the node pulls from the registries")
    func cachesThatCannotStart() async throws {
        let world = try FakeWorld(environment: ["FAKE_DOCKER_UNPULLABLE": "registry:3"])
        let up = try await world.provision("up")
        #expect(up.exitCode == 0, "\(up)")
        #expect(up.standardError.contains("could not start the image cache provision-mirror-docker-io (mirror for docker.io)"), "\(up)")
        #expect(up.standardError.contains("manifest unknown"))
        let steps = try await world.lastRun().steps
        #expect(steps.first { $0.action == .startCaches }?.note?.contains("3 could not start") == true, "\(steps)")
        #expect(!steps.contains { $0.action == .pull }, "nothing to warm up without a mirror")
        #expect(!world.upstreamPulls.isEmpty && Self.stackPulls(world).allSatisfy { $0.hasSuffix(" by node wrightnow") })
        #expect(world.nodePullFailures().isEmpty)
    }

    @Test("a container of a cache's name that is not one, and a volume of another format: exit 3, each with its fix")
    func preflightProblems() async throws {
        let world = try FakeWorld()
        try world.addForeignContainer(name: "provision-mirror-ghcr-io")
        try world.addVolume(name: "provision-mirror-docker-io", labels: [
            "io.wrightnow.provision.role": "mirror", "io.wrightnow.provision.cache-format": "0",
        ])
        let up = try await world.provision("up")
        #expect(up.exitCode == 3, "\(up)")
        #expect(up.standardError.contains("2 problems must be fixed first:"), "\(up)")
        #expect(up.standardError.contains("a container named provision-mirror-ghcr-io exists but is not provision's mirror for ghcr.io"))
        #expect(up.standardError.contains("the volume provision-mirror-docker-io holds cache format '0'"))
        #expect(up.standardError.contains("provision down --remove-caches"))
        // Nothing was made: no cluster, no cache.
        #expect(!world.calls.contains { $0.hasPrefix("kind create") || $0.hasPrefix("docker run") })
    }

    @Test("status lists the caches with state and size, also with --json and without a cluster")
    func statusListsTheCaches() async throws {
        let world = try FakeWorld()
        #expect(try await world.provision("up").exitCode == 0)
        try world.stopContainer("provision-mirror-ghcr-io")
        let status = try await world.provision("status")
        let lines = status.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("Image caches (kept by `provision down`") }, "\(status)")
        let rows = lines[(header + 2)...].prefix(3)
        #expect(rows.contains { $0.hasPrefix("registry") && $0.contains("localhost:\(world.registryHostPort)") && $0.contains("running") })
        #expect(rows.contains { $0.hasPrefix("mirror") && $0.contains("ghcr.io") && $0.contains("exited") })
        #expect(rows.contains { $0.hasPrefix("mirror") && $0.contains("docker.io") && $0.contains("MB") }, "\(rows)")

        let json = try await world.provision("status", "--json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let caches = try #require(document["caches"] as? [[String: Any]])
        #expect(Set(caches.compactMap { $0["name"] as? String }) == [
            "provision-registry", "provision-mirror-docker-io", "provision-mirror-ghcr-io",
        ])

        #expect(try await world.provision("down").exitCode == 0)
        let noCluster = try await world.provision("status")
        #expect(noCluster.exitCode == 1)
        #expect(noCluster.standardOutput.contains("provision-mirror-docker-io"), "\(noCluster)")
    }
}
