import Components
import Foundation
import Kubernetes
import ProvisionCore
import RunHistory
import Testing
import TestSupport

/// `provision up` end to end against the fake tools: the runs that succeed.
@Suite("provision up")
struct UpCommandTests {
    /// The order `up` deploys the default selection in: the catalog's plan.
    static let componentOrder = try! Plan(components: StackCatalog.all).order.map(\.rawValue)

    @Test("a first up creates the cluster, deploys every component in a valid order and says how to log in")
    func happyPath() async throws {
        let world = try FakeWorld()
        let result = try await world.run("up")
        #expect(result.exitCode == 0, "\(result)")

        // The summary: URLs, login, where the password is, the history hint.
        let out = result.standardOutput
        #expect(out.contains("The stack is up on kind cluster wrightnow"))
        #expect(out.contains("http://localhost/auth/"))
        #expect(out.contains("http://localhost/auth/if/flow/initial-setup/"))
        #expect(out.contains("log in as:           akadmin"))
        #expect(out.contains("AUTHENTIK_BOOTSTRAP_PASSWORD in \(world.secretsFile("authentik-credentials").path)"))
        #expect(out.contains("provision history 1"))
        for component in Self.componentOrder { #expect(out.contains("deploy \(component)")) }

        // Preflight before anything changes; the cluster is created from the overlay's kind config.
        let calls = world.calls
        let create = try #require(calls.firstIndex { $0.hasPrefix("kind create cluster") }, "\(calls)")
        #expect(calls[create] == "kind create cluster --name wrightnow --config \(world.kindConfig.path) --wait 120s")
        for check in ["kind version", "kubectl version --client", "docker info --format {{.ServerVersion}}"] {
            let index = try #require(calls.firstIndex(of: check), "missing \(check) in \(calls)")
            #expect(index < create)
        }
        #expect(calls.contains { $0.contains("curl -fsSL") && $0.contains("nginx-gateway-fabric/v2.6.7/deploy/nodeport/deploy.yaml") })
        #expect(!calls.contains { $0.contains("ingress-nginx") }, "the retired edge is not installed by default")
        // Nor does the summary offer what it would have: its warning goes with it.
        #expect(!out.contains("ingress-nginx is retired"), "\(out)")
        #expect(calls.contains("kubectl kustomize \(world.repository.path)/k8s/overlays/local"))
        #expect(calls.filter { $0.contains("apply --server-side --field-manager=provision") }.count >= 6)

        // authentik's route is applied only after the edge is ready: CRDs established, the
        // controller rolled out, its class accepted, the Gateway programmed.
        let events = world.events
        let route = try #require(events.firstIndex { $0.hasPrefix("applied HTTPRoute/") }, "\(events)")
        for ready in [
            "ready customresourcedefinition/httproutes.gateway.networking.k8s.io", "ready deployment/nginx-gateway",
            "ready gatewayclass/nginx", "ready gateway/wrightnow",
        ] {
            let index = try #require(events.firstIndex(of: ready), "missing \(ready) in \(events)")
            #expect(index < route)
        }
        #expect(events.last { $0.hasPrefix("ready ") } == "ready httproute/authentik", "the route is waited for: \(events)")
        // Smoke checks ran: psql, redis-cli, authentik's config endpoint.
        #expect(calls.contains { $0.contains("exec -n staging-infra postgres-0") && $0.contains("psql") })
        #expect(calls.contains { $0.contains("redis-cli ping") })
        #expect(calls.contains("curl -fsS --max-time 10 http://localhost/auth/api/v3/root/config/"))

        // The history shows every step succeeded.
        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .succeeded)
        #expect(recorded.run.backend == "kind" && recorded.run.cluster == "wrightnow")
        #expect(recorded.run.commandLine == ["provision", "up"])
        // The run-level steps, the components in plan order, then the warm-up pulls (added once
        // the caches had started, so listed last; they ran while the cluster was made).
        let runSteps = ["preflight", "start-caches", "create-cluster"] + Self.componentOrder.map { "deploy \($0)" }
        #expect(Array(recorded.steps.map(\.label).prefix(runSteps.count)) == runSteps)
        let pulls = recorded.steps.dropFirst(runSteps.count)
        #expect(!pulls.isEmpty && pulls.allSatisfy { $0.action == .pull && $0.state == .succeeded }, "\(pulls)")
        // Each image the node pulled was warmed up once, through its mirror, and so the node
        // pulled none of them from the internet itself.
        #expect(pulls.count == world.nodeImages().count, "\(pulls.map(\.subject)) vs \(world.nodeImages())")
        // Besides the registry image itself, which the host's Docker pulls to run the caches.
        let (byHost, others) = (world.upstreamPulls.filter { $0.hasSuffix(" by host docker") },
                                world.upstreamPulls.filter { !$0.hasSuffix(" by host docker") })
        #expect(byHost == ["docker.io/library/registry:3 by host docker"])
        #expect(others.count == pulls.count && others.allSatisfy { $0.contains(" by mirror provision-mirror-") }, "\(others)")
        // The retired edge, which the default overlay does not select, is the one step skipped.
        let deployed = recorded.steps.filter { $0.component != "ingress-nginx" && $0.action != .pull }
        #expect(deployed.allSatisfy { $0.state == .succeeded }, "\(recorded.steps)")
        #expect(recorded.steps.first { $0.component == "ingress-nginx" }?.state == .skipped)
        // kind made its network with the cluster: the three caches (the local registry and the
        // mirrors of docker.io and ghcr.io) joined it then.
        #expect(recorded.steps.first { $0.action == .createCluster }?.note
            == "created cluster `wrightnow`; joined 3 image cache(s) to network `kind`")
        #expect(deployed.filter { $0.action == .deploy }.allSatisfy { $0.digest?.count == 64 })

        // The readable table too.
        let table = try await world.run("history")
        #expect(table.exitCode == 0)
        #expect(table.standardOutput.contains("#1"))
        #expect(table.standardOutput.contains("succeeded"))
        #expect(table.standardOutput.contains("up"))
    }

    @Test("secrets are generated owner-only, never printed unless asked, and reused by a second up")
    func secretsAndRerun() async throws {
        let world = try FakeWorld()
        let first = try await world.run("up", "--only", "authentik")
        #expect(first.exitCode == 0, "\(first)")
        let file = world.secretsFile("authentik-credentials")
        let contents = try String(contentsOf: file, encoding: .utf8)
        let line: Substring? = contents.split(separator: "\n").first { $0.hasPrefix("AUTHENTIK_BOOTSTRAP_PASSWORD=") }
        let value: Substring? = line?.split(separator: "=", maxSplits: 1).last
        let password = try #require(value.map(String.init))
        #expect(password.count == 24)
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(!first.standardOutput.contains(password) && !first.standardError.contains(password))

        // Re-run on the healthy stack: the cluster is reused, nothing is created, same secrets.
        try world.clearCalls()
        let second = try await world.run("up", "--only", "authentik", "--show-secrets")
        #expect(second.exitCode == 0, "\(second)")
        #expect(world.calls(containing: "kind create").isEmpty, "\(world.calls)")
        #expect(world.calls.contains("kind get clusters"))
        #expect(try String(contentsOf: file, encoding: .utf8) == contents)
        #expect(second.standardOutput.contains("AUTHENTIK_BOOTSTRAP_PASSWORD=\(password)"))

        let runs = try await world.historyRuns()
        #expect(runs.map(\.outcome) == [.succeeded, .succeeded])
        let rerun = try await world.history(of: runs[0].id)
        #expect(rerun.steps.first { $0.action == .createCluster }?.note == "reused cluster `wrightnow`")
        #expect(rerun.steps.allSatisfy { $0.state == .succeeded || $0.component == "ingress-nginx" }, "\(rerun.steps)")
    }

    @Test("--only deploys the selection and its dependencies, nothing else")
    func onlySelection() async throws {
        let world = try FakeWorld()
        let result = try await world.run("up", "--only", "redis")
        #expect(result.exitCode == 0, "\(result)")
        let recorded = try await world.lastRun()
        #expect(recorded.steps.compactMap(\.component?.rawValue) == ["namespaces", "storage", "redis"])
        #expect(!world.events.contains { $0.contains("Ingress") || $0.contains("authentik") })
        #expect(world.calls(containing: "ingress-nginx").isEmpty)
    }

    @Test("long steps print start and finish lines and periodic still-waiting lines")
    func progressLines() async throws {
        let world = try FakeWorld(environment: [
            "FAKE_SLOW": "*rollout status deployment/redis *", "FAKE_SLOW_SECONDS": "2.5",
        ])
        let result = try await world.run("up", "--only", "redis", "--progress-interval", "1")
        #expect(result.exitCode == 0, "\(result)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasSuffix("start    deploy redis") })
        #expect(lines.contains { $0.contains("still waiting for deploy redis (1s)") })
        #expect(lines.contains { $0.contains("still waiting for deploy redis (2s)") })
        // The finish line carries the step's duration, at least the 2.5 s the fake took.
        let finished = try #require(lines.first { $0.contains("done     deploy redis (") }, "\(result)")
        let seconds = try #require(
            finished.split(separator: "(").last?.split(separator: "s)").first.flatMap { Double($0) }, "\(finished)")
        #expect(seconds >= 2.5, "\(finished)")
        #expect(result.standardOutput.contains("Time per step:"))
    }

    /// The seed's edge, one selection away: the same stack through the retired ingress-nginx.
    @Test("--overlay local-ingress-nginx brings the stack up through ingress-nginx, warns it is retired, skips the Gateway API edge")
    func ingressNginxSelection() async throws {
        let world = try FakeWorld()
        let result = try await world.run("up", "--overlay", "local-ingress-nginx")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.standardOutput.contains("WARNING") && result.standardOutput.contains("ingress-nginx is retired"), "\(result)")
        let calls = world.calls
        #expect(calls.contains { $0.hasPrefix("kind create cluster") && $0.contains("overlays/local-ingress-nginx/kind-cluster-config.yaml") })
        #expect(calls.contains { $0.contains("curl -fsSL") && $0.contains("controller-v1.15.1/deploy/static/provider/kind/deploy.yaml") })
        #expect(!calls.contains { $0.contains("nginx-gateway-fabric") || $0.contains("gateway-api") }, "\(calls)")
        // authentik's Ingress only after the webhook's Jobs and controller are ready, and no Gateway API object.
        let events = world.events
        let ingress = try #require(events.firstIndex { $0.hasPrefix("applied Ingress/authentik") }, "\(events)")
        for ready in ["ready job/ingress-nginx-admission-create", "ready deployment/ingress-nginx-controller"] {
            let index = try #require(events.firstIndex(of: ready), "missing \(ready) in \(events)")
            #expect(index < ingress)
        }
        #expect(!events.contains { $0.contains("Gateway") || $0.contains("HTTPRoute") || $0.contains("CustomResourceDefinition") })
        #expect(events.contains("applied NetworkPolicy/authentik-server-from-ingress-nginx"))
        let steps = try await world.lastRun().steps
        let skipped = Set(steps.filter { $0.state == .skipped }.compactMap { $0.component?.rawValue })
        #expect(skipped == ["gateway-crds", "nginx-gateway-fabric", "edge"], "\(steps)")
        #expect(steps.filter { !skipped.contains($0.component?.rawValue ?? "") }.allSatisfy { $0.state == .succeeded })
        #expect(calls.contains("curl -fsS --max-time 10 http://localhost/auth/if/flow/initial-setup/"))
    }

    @Test("the git revision of k8s/ is recorded, with a dirty marker for uncommitted changes")
    func gitRevision() async throws {
        let world = try FakeWorld()
        func git(_ arguments: [String]) async throws -> String {
            let result = try await ChildProcess.run(
                ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"] + arguments,
                workingDirectory: world.repository, limit: 60)
            try #require(result.exitCode == 0, "git \(arguments): \(result)")
            return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try await git(["init", "-q"])
        _ = try await git(["add", "k8s"])
        _ = try await git(["commit", "-q", "-m", "manifests"])
        let head = try await git(["rev-parse", "HEAD"])

        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        let first = try await world.lastRun().run
        #expect(first.manifestsRevision == head, "\(first)")

        try "# local change\n".write(
            to: world.repository.appending(path: "k8s/overlays/local/NOTE.md"), atomically: true, encoding: .utf8)
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        #expect(try await world.lastRun().run.manifestsRevision == head + "-dirty")
    }

    @Test("outside a git checkout the revision is unknown and the run still succeeds")
    func noGitRevision() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        #expect(try await world.lastRun().run.manifestsRevision == nil)
        let detail = try await world.run("history", "1")
        #expect(detail.standardOutput.contains("k8s/ revision unknown"))
    }
}

@Suite("history: what was applied, read back")
struct HistoryAuditTests {
    @Test("show --manifest prints what a step applied; diff shows a manifest edited between runs; counts in the table")
    func showAndDiff() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)
        // Edit a manifest in k8s/ between the runs.
        let deployment = world.repository.appending(path: "k8s/base/redis/deployment.yaml")
        var text = try String(contentsOf: deployment, encoding: .utf8)
        text = text.replacingOccurrences(of: "            - everysec\n", with: "            - always\n")
        try text.write(to: deployment, atomically: true, encoding: .utf8)
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)

        let shown = try await world.run("history", "show", "1", "--manifest", "redis")
        #expect(shown.exitCode == 0, "\(shown)")
        #expect(shown.standardOutput.contains("kind: Deployment") && shown.standardOutput.contains("- everysec"))

        let diff = try await world.run("history", "diff", "1", "2", "--component", "redis")
        #expect(diff.exitCode == 0, "\(diff)")
        #expect(diff.standardOutput.contains("--- run 1/redis"))
        #expect(diff.standardOutput.contains("+++ run 2/redis"))
        let lines = diff.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.wholeMatch(of: /-\s+- everysec/) != nil }, "\(diff.standardOutput)")
        #expect(lines.contains { $0.wholeMatch(of: /\+\s+- always/) != nil })
        #expect(lines.filter { $0.hasPrefix("-") && !$0.hasPrefix("---") }.count == 1, "only the edited line differs")
        let same = try await world.run("history", "diff", "1", "1")
        #expect(same.standardOutput.contains("Runs 1 and 1 applied the same objects."))

        let table = try await world.run("history")
        let secondRow = try #require(table.standardOutput.split(separator: "\n").first { $0.hasPrefix("#2 ") })
        #expect(secondRow.contains("+0 ~1 ="), "\(secondRow)")
        let json = try await world.run("history", "--json")
        #expect(json.standardOutput.contains("\"changes\" : {"))
        let detail = try await world.run("history", "show", "2")
        #expect(detail.standardOutput.contains("by:"))
        #expect(detail.standardOutput.contains("tools:     kind v0.33.0"))
    }

    @Test("no generated secret value is anywhere in the state database")
    func noSecretInTheDatabase() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up").exitCode == 0)
        let database = try Data(contentsOf: StateStore.file(in: world.stateDirectory))
        let wal = (try? Data(contentsOf: world.stateDirectory.appending(path: "state.sqlite-wal"))) ?? Data()
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(
            at: SecretVault(stateDirectory: world.stateDirectory, cluster: "wrightnow").directory, includingPropertiesForKeys: nil)
        {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let value = String(line.split(separator: "=", maxSplits: 1).last ?? "")
                guard value.count >= 16 else { continue }  // generated values, not literals like "postgres"
                checked += 1
                #expect(database.range(of: Data(value.utf8)) == nil, "\(file.lastPathComponent): a value is in state.sqlite")
                #expect(wal.range(of: Data(value.utf8)) == nil, "\(file.lastPathComponent): a value is in the WAL")
            }
        }
        #expect(checked >= 6)
        // The Secrets are recorded by name and key.
        let steps = try await world.lastRun().steps
        #expect(steps.contains { $0.secrets?.contains { $0.name == "authentik-credentials" && $0.keys.contains("AUTHENTIK_SECRET_KEY") } == true })
    }
}
