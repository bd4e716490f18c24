import Foundation
import ProvisionCore
import Testing
import TestSupport

/// `provision up` end to end when the tools or the cluster misbehave.
@Suite("provision up failures")
struct UpFailureTests {
    @Test("kind create fails: exit 1, kind's output shown, nothing applied, the history says why")
    func kindCreateFails() async throws {
        let world = try FakeWorld(environment: ["FAKE_KIND_CREATE_FAIL": "1"])
        let result = try await world.run("up")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("error: kind could not create cluster wrightnow"))
        #expect(result.standardError.contains("fix: "))
        #expect(result.standardError.contains("failed to create cluster"))  // kind's own output
        #expect(result.standardError.contains("provision history 1"))
        #expect(world.calls(containing: "kind create cluster").count == 1)
        #expect(world.calls(containing: "apply").isEmpty, "\(world.calls)")

        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .failed)
        #expect(recorded.run.error?.contains("kind could not create cluster") == true)
        #expect(recorded.steps.first { $0.action == .preflight }?.state == .succeeded)
        #expect(recorded.steps.first { $0.action == .createCluster }?.state == .failed)
        #expect(recorded.steps.filter { $0.action == .deploy }.allSatisfy { $0.state == .skipped })
    }

    @Test("an upstream manifest that is not the pinned one is refused: nothing of it applied, authentik skipped")
    func edgeManifestDigestMismatch() async throws {
        // The real pins (upstream digests) against the fake curl's stand-in manifests.
        let world = try FakeWorld(pinFakeIngressManifest: false)
        let result = try await world.run("up")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("deploying `gateway-crds` failed"), "\(result)")
        #expect(result.standardError.contains("k8s/components/edge-gateway-api/pins/gateway-crds.yaml pins"))
        #expect(result.standardError.contains("fix: "))
        #expect(!world.events.contains { $0.contains("CustomResourceDefinition/") }, "\(world.events)")
        #expect(!world.events.contains { $0.hasPrefix("applied HTTPRoute/") }, "\(world.events)")

        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .failed)
        #expect(recorded.steps.first { $0.component == "gateway-crds" }?.state == .failed)
        for dependent in ["nginx-gateway-fabric", "edge", "authentik"] {
            #expect(recorded.steps.first { $0.component == ComponentID(dependent) }?.state == .skipped, "\(dependent)")
        }
        #expect(recorded.steps.first { $0.component == "redis" }?.state == .succeeded)
    }

    @Test("the edge controller's rollout times out: the edge and authentik are skipped, independent components succeed")
    func rolloutTimesOut() async throws {
        let world = try FakeWorld(environment: ["FAKE_ROLLOUT_TIMEOUT": "nginx-gateway"])
        let result = try await world.run("up", "--timeout", "5")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("deploying `nginx-gateway-fabric` failed"))
        #expect(result.standardError.contains("deployment nginx-gateway in nginx-gateway"))
        #expect(result.standardError.contains("did not become ready within 5 s"))
        #expect(result.standardError.contains("fix: "))
        // The backend splits one readiness deadline across its checks, so under load this
        // rollout may get 4 s rather than 5: match up to `--timeout=` and require 1...5 s.
        let rolloutPrefix =
            "kubectl --context kind-wrightnow rollout status deployment/nginx-gateway -n nginx-gateway --timeout="
        let rollout = try #require(world.calls.first { $0.hasPrefix(rolloutPrefix) }, "\(world.calls)")
        let seconds = rollout.dropFirst(rolloutPrefix.count).dropLast()  // "5s" -> "5"
        #expect(rollout.hasSuffix("s") && (1...5).contains(Int(seconds) ?? 0), "\(rollout)")
        // Neither the Gateway nor authentik's route reached the cluster.
        #expect(!world.events.contains { $0.hasPrefix("applied Gateway/") || $0.hasPrefix("applied HTTPRoute/") }, "\(world.events)")

        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .failed)
        let states = Dictionary(uniqueKeysWithValues: recorded.steps.compactMap { step in
            step.component.map { ($0.rawValue, step.state) }
        })
        #expect(states["nginx-gateway-fabric"] == .failed)
        #expect(states["edge"] == .skipped)
        #expect(states["authentik"] == .skipped)
        for independent in ["namespaces", "storage", "postgres-pgvector", "redis", "gateway-crds"] {
            #expect(states[independent] == .succeeded, "\(independent): \(String(describing: states[independent]))")
        }
        let reason = recorded.steps.first { $0.component == "authentik" }?.error ?? ""
        #expect(reason.contains("did not succeed") && (reason.contains("edge") || reason.contains("nginx-gateway-fabric")), "\(reason)")

        let table = try await world.run("history", "1")
        #expect(table.standardOutput.contains("skipped"))
        #expect(table.standardOutput.contains("failed"))
    }

    @Test("an authentik whose UI ignores /auth/ for its assets fails its own step, naming the assets and the way out")
    func authentikUIOutsideItsSubPath() async throws {
        let world = try FakeWorld(environment: ["FAKE_AUTHENTIK_UNPREFIXED": "1"])
        let result = try await world.run("up", "--only", "authentik")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("deploying `authentik` failed"), "\(result)")
        #expect(result.standardError.contains("/static/dist/poly-2026.8.7.js"), "\(result)")
        #expect(result.standardError.contains("outside /auth/"), "\(result)")
        #expect(result.standardError.contains("host of its own"), "\(result)")
        // The API answered before: the page is what failed.
        #expect(world.calls.contains("curl -fsS --max-time 10 http://localhost/auth/api/v3/root/config/"))
        #expect(world.calls.contains("curl -fsS --max-time 10 http://localhost/auth/if/flow/initial-setup/"))
    }

    @Test("a rollout of authentik itself times out: only authentik fails")
    func authentikRolloutTimesOut() async throws {
        let world = try FakeWorld(environment: ["FAKE_ROLLOUT_TIMEOUT": "authentik-server"])
        let result = try await world.run("up", "--timeout", "3")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("authentik-server"))
        let recorded = try await world.lastRun()
        let failed = recorded.steps.filter { $0.state == .failed }.compactMap(\.component?.rawValue)
        #expect(failed == ["authentik"])
        // All else succeeded, but the retired edge, which the default overlay does not select.
        #expect(recorded.steps.filter { $0.state == .succeeded }.count == recorded.steps.count - 2)
        #expect(recorded.steps.first { $0.component == "ingress-nginx" }?.state == .skipped)
    }

    @Test("the admission webhook refuses the first Ingress apply: the apply is retried and the run succeeds (ingress-nginx overlay)")
    func webhookRefusesOnce() async throws {
        let world = try FakeWorld(environment: ["FAKE_WEBHOOK_REFUSE_ONCE": "1"])
        let result = try await world.run("up", "--only", "authentik", "--overlay", "local-ingress-nginx")
        #expect(result.exitCode == 0, "\(result)")
        // The fake refused exactly once (its marker exists), and the Ingress got applied after.
        #expect(FileManager.default.fileExists(atPath: world.fakeState.appending(path: "once-webhook").path))
        #expect(world.events.contains { $0.hasPrefix("applied Ingress/") }, "\(world.events)")
        // Applies: ingress-nginx, namespaces, storage, authentik's secret, authentik refused, authentik again.
        #expect(world.calls(containing: " apply ").count == 6, "\(world.calls)")
        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .succeeded)
        // The Gateway API edge has nothing in this overlay: its steps are skipped, the rest succeed.
        let skipped = recorded.steps.filter { $0.state == .skipped }.compactMap(\.component?.rawValue)
        #expect(Set(skipped) == ["gateway-crds", "nginx-gateway-fabric", "edge"], "\(recorded.steps)")
        #expect(recorded.steps.allSatisfy { $0.state == .succeeded || $0.state == .skipped })
        // The retired edge is said to be retired at run time.
        #expect(result.standardOutput.contains("ingress-nginx is retired"), "\(result)")
    }

    @Test("docker is not running: preflight exit code 3, the fix, no cluster created")
    func dockerNotRunning() async throws {
        let world = try FakeWorld(environment: ["FAKE_DOCKER_DOWN": "1"])
        let result = try await world.run("up")
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.standardError.contains("error: Docker is not running"))
        #expect(result.standardError.contains("fix: start Docker"))
        #expect(world.calls.contains("docker info --format {{.ServerVersion}}"))
        #expect(world.calls(containing: "kind create").isEmpty)
        #expect(world.calls(containing: "kubectl --context").isEmpty)

        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .failed)
        #expect(recorded.run.error?.contains("Docker is not running") == true)
        #expect(recorded.steps.first { $0.action == .preflight }?.state == .failed)
        #expect(recorded.steps.dropFirst().allSatisfy { $0.state == .skipped })
    }

    @Test("a missing tool stops preflight with exit 3, naming the tool and how to install it",
          arguments: ["kind", "kubectl", "docker"])
    func missingTool(tool: String) async throws {
        let world = try FakeWorld(missingTools: [tool])
        let result = try await world.run("up")
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.standardError.contains("error: \(tool) is not installed (not found on PATH)"))
        #expect(result.standardError.contains("fix: install"))
        #expect(world.calls(containing: "kind create").isEmpty)
        let recorded = try await world.lastRun()
        #expect(recorded.steps.first { $0.action == .preflight }?.state == .failed)
        #expect(recorded.run.error?.contains("\(tool) is not installed") == true)
    }

    /// Found by connecting to it (as a non-root user must: binding below 1024 is refused before
    /// the kernel looks at whether the port is taken).
    @Test("a host port the cluster publishes is taken: preflight exit code 3 naming the port")
    func portTaken() async throws {
        let world = try FakeWorld()
        let holder = try ListeningSocket(port: world.hostPorts[0])
        let result = try await world.run("up")
        withExtendedLifetime(holder) {}
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.standardError.contains("port \(world.hostPorts[0]) is already allocated"))
        #expect(!result.standardError.contains("port \(world.hostPorts[1]) is already allocated"))
        #expect(result.standardError.contains("fix: stop what listens on port \(world.hostPorts[0])"))
        #expect(result.standardError.contains("macOS: `sudo lsof -nP -iTCP:\(world.hostPorts[0]) -sTCP:LISTEN`"))
        #expect(world.calls(containing: "kind create").isEmpty)
        let recorded = try await world.lastRun()
        #expect(recorded.steps.first { $0.action == .preflight }?.state == .failed)
        #expect(recorded.steps.first { $0.action == .preflight }?.error?.contains("already allocated") == true)
    }

    @Test("a taken port does not matter when the cluster exists already")
    func portTakenButClusterExists() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        try world.clearCalls()
        let holder = try ListeningSocket(port: world.hostPorts[0])
        let again = try await world.run("up", "--only", "namespaces")
        withExtendedLifetime(holder) {}
        #expect(again.exitCode == 0, "\(again)")
        #expect(world.calls(containing: "kind create").isEmpty)
        #expect(world.calls.contains("docker info --format {{.ServerVersion}}"), "preflight still ran: \(world.calls)")
        let recorded = try await world.lastRun()
        #expect(recorded.run.id.rawValue == 2 && recorded.run.outcome == .succeeded)
        #expect(recorded.steps.first { $0.action == .createCluster }?.note == "reused cluster `wrightnow`")
    }

    @Test("cloud backends are stubs: exit 3 with what they will do, recorded as failed", arguments: ["gke", "eks", "aks"])
    func cloudBackendStub(backend: String) async throws {
        let world = try FakeWorld()
        let result = try await world.run("up", "--backend", backend)
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.standardError.contains("the \(backend) backend is not implemented yet"))
        #expect(result.standardError.contains("docs/kubernetes-setup.md"))
        #expect(result.standardError.contains("--backend kind"))
        #expect(world.calls.isEmpty, "a stub must not run any tool: \(world.calls)")

        let recorded = try await world.lastRun()
        #expect(recorded.run.backend == backend)
        #expect(recorded.run.outcome == .failed)
        #expect(recorded.run.error?.contains("not implemented yet") == true)
        #expect(recorded.steps.first { $0.action == .preflight }?.state == .failed)
    }
}
