import Foundation
import ProvisionCore
import Testing
import TestSupport

@testable import Kubernetes

/// The seed's verification tasks 11.2-11.6, automated against a real kind cluster with the
/// built `provision` binary and the real kind, kubectl, docker and curl. Like the seed's
/// checks, it runs the entry points scripts/k8s-setup.sh, k8s-deploy.sh and k8s-teardown.sh
/// (thin wrappers over provision, which is put on their PATH).
///
/// Runs on a temporary copy of `k8s/` and `scripts/` (so the data directory and the state
/// directory are the test's own) but with the real host ports 80 and 443, because authentik is checked at
/// http://localhost/auth/. It refuses to start when a `wrightnow` cluster exists already, so a
/// developer's cluster is never touched.
@Suite("real kind cluster (seed tasks 11.2-11.6)",
       .serialized,
       .enabled(if: RealCluster.isEnabled, RealCluster.disabledReason))
struct SeedVerificationTests {
    /// The scripts pass no `--timeout`: `provision up` waits as long as it does for a user
    /// (authentik's first start: image pull and migrations), its own default.
    static let readinessTimeout = TimeInterval(DeployOptions.upDefaults.readinessTimeout.components.seconds)
    /// Creating the cluster and installing the edge: kind's node and the edge's waits.
    static let setupLimit = readinessTimeout + 300
    /// Deploying the stack: authentik's wait, after what it depends on.
    static let deployLimit = readinessTimeout + 900

    let shell: Shell
    let provisionBinary: URL
    let workspace: URL
    let stateDirectory: URL

    init() throws {
        provisionBinary = try #require(
            BuildProducts.provision, "the provision executable was not found; run `swift build` first")
        workspace = FileManager.default.temporaryDirectory.appending(path: "provision-real-\(UUID().uuidString.prefix(8))")
        stateDirectory = workspace.appending(path: "state")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        for directory in ["k8s", "scripts"] {
            try FileManager.default.copyItem(
                at: Repository.root.appending(path: directory), to: workspace.appending(path: directory))
        }
        var shell = Shell()
        shell.directory = workspace
        shell.environment["PROVISION_STATE_DIR"] = stateDirectory.path
        shell.environment["PATH"] = provisionBinary.deletingLastPathComponent().path + ":"
            + (shell.environment["PATH"] ?? "/usr/bin:/bin")
        self.shell = shell
    }

    @Test("up, cluster and nodes, namespaces and pods, connectivity, persistence, Argo CD, down", .timeLimit(.minutes(90)))
    func seedTasks() async throws {
        let existing = try await shell.succeed(["kind", "get", "clusters"]).standardOutput
        try #require(
            !existing.split(separator: "\n").contains(Substring(RealCluster.clusterName)),
            "a kind cluster named wrightnow exists already; delete it (`provision down`) before running this suite")
        do {
            // The cold up (setup + deploy, on a runner without caches) is timed for the job
            // summary, beside the down + up with warm caches that the persistence task does.
            let cold = ContinuousClock.now
            try await task11_2_clusterCreation()
            try await task11_3_serviceDeployment()
            let coldUp = ContinuousClock.now - cold
            try await imageCaches()
            try await task11_4_connectivity()
            try await task11_5_persistence(coldUp: coldUp)
            try await existingBackendOnTheSameCluster()
            try await argoCDHandOver()
            try await task11_6_teardown()
        } catch {
            // Leave the cluster for diagnostics when asked (CI collects logs, then deletes it).
            if ProcessInfo.processInfo.environment["PROVISION_REAL_CLUSTER_KEEP"] != "1" {
                _ = try? await shell.run([provisionBinary.path, "down"], limit: 600)
            }
            throw error
        }
    }

    // MARK: 11.2 cluster creation

    func task11_2_clusterCreation() async throws {
        // The seed: ./scripts/k8s-setup.sh creates the cluster and installs the edge (the seed
        // named ingress-nginx; the default edge is Gateway API with NGINX Gateway Fabric).
        try await script("k8s-setup.sh", limit: Self.setupLimit)

        let clusters = try await shell.succeed(["kind", "get", "clusters"]).standardOutput
        #expect(clusters.split(separator: "\n").contains("wrightnow"))

        let nodes = try await shell.kubectl(
            "get", "nodes", "-o",
            #"jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}"#
        ).trimmedOutput.split(separator: "\n")
        #expect(!nodes.isEmpty)
        for node in nodes { #expect(node.hasSuffix("=True"), "node not Ready: \(node)") }

        // NGINX Gateway Fabric's controller (labels of its Deployment at v2.6.7) and the Gateway's
        // data plane, which the controller makes for the Gateway `wrightnow`.
        let controller = try await shell.kubectl(
            "get", "pods", "-n", "nginx-gateway", "-l", "app.kubernetes.io/name=nginx-gateway",
            "-o", "jsonpath={.items[*].status.phase}").trimmedOutput
        #expect(controller == "Running", "NGINX Gateway Fabric controller pods: \(controller)")
        let programmed = try await shell.kubectl(
            "get", "gateway", "wrightnow", "-n", "nginx-gateway",
            "-o", #"jsonpath={.status.conditions[?(@.type=="Programmed")].status}"#).trimmedOutput
        #expect(programmed == "True", "Gateway wrightnow Programmed: \(programmed)")
        let dataPlane = try await shell.kubectl(
            "get", "pods", "-n", "nginx-gateway", "-l", "gateway.networking.k8s.io/gateway-name=wrightnow",
            "-o", "jsonpath={.items[*].status.phase}").trimmedOutput
        #expect(dataPlane.split(separator: " ").allSatisfy { $0 == "Running" } && !dataPlane.isEmpty,
                "the Gateway's data plane pods: \(dataPlane)")
    }

    // MARK: 11.3 service deployment

    func task11_3_serviceDeployment() async throws {
        // The seed: ./scripts/k8s-deploy.sh deploys every service.
        let deploy = try await script("k8s-deploy.sh", limit: Self.deployLimit)
        #expect(deploy.standardOutput.contains("The stack is up on kind cluster wrightnow"))
        let expected = ["staging-infra": "active", "staging-core": "placeholder",
                        "staging-ai": "placeholder", "staging-web": "placeholder"]
        for (namespace, status) in expected {
            let labels = try await shell.kubectl(
                "get", "namespace", namespace, "-o",
                "jsonpath={.metadata.labels.status},{.metadata.labels.environment},{.status.phase}").trimmedOutput
            #expect(labels == "\(status),staging,Active", "\(namespace): \(labels)")
        }

        let pods = try await shell.kubectl(
            "get", "pods", "-n", "staging-infra", "-o",
            #"jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}"#
        ).trimmedOutput.split(separator: "\n").map(String.init)
        for app in ["postgres-0", "redis-", "authentik-postgres-0", "authentik-server-", "authentik-worker-"] {
            #expect(pods.contains { $0.hasPrefix(app) }, "no pod \(app)* in staging-infra: \(pods)")
        }
        for pod in pods {
            #expect(pod.hasSuffix("=True"), "pod not Ready: \(pod)")
            let name = String(pod.split(separator: "=")[0])
            // The seed reads each pod's logs for errors; at least they must be readable.
            try await shell.kubectl("logs", "-n", "staging-infra", name, "--all-containers", "--tail", "50")
        }
    }

    // MARK: 11.4 connectivity

    func task11_4_connectivity() async throws {
        let databases = try await shell.kubectl(
            "exec", "-n", "staging-infra", "postgres-0", "-c", "postgres", "--",
            "psql", "-U", "postgres", "-c", #"\l"#).standardOutput
        #expect(databases.contains("wrightnow"), "\(databases)")
        let vector = try await shell.kubectl(
            "exec", "-n", "staging-infra", "postgres-0", "-c", "postgres", "--",
            "psql", "-U", "postgres", "-d", "wrightnow", "-tAc",
            "SELECT extname FROM pg_extension WHERE extname = 'vector'").trimmedOutput
        #expect(vector == "vector")

        // The Redis password from the cluster's Secret equals the one provision generated.
        let encoded = try await shell.kubectl(
            "get", "secret", "redis-credentials", "-n", "staging-infra",
            "-o", "jsonpath={.data.REDIS_PASSWORD}").trimmedOutput
        let password = try #require(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) })
        let vault = try String(
            contentsOf: stateDirectory.appending(path: "clusters/wrightnow/secrets/redis-credentials.env"),
            encoding: .utf8)
        #expect(vault.contains("REDIS_PASSWORD=\(password)"))
        // redis-cli with REDISCLI_AUTH from that secret (on stdin, never on a command line) answers PONG;
        // without it Redis refuses, so the password is really enforced.
        let pong = try await shell.kubectl(
            "exec", "-i", "-n", "staging-infra", "deployment/redis", "-c", "redis", "--",
            "sh", "-c", #"REDISCLI_AUTH="$(cat)" redis-cli ping"#, input: Data(password.utf8)).trimmedOutput
        #expect(pong == "PONG")
        let refused = try await shell.kubectl(
            "exec", "-n", "staging-infra", "deployment/redis", "-c", "redis", "--",
            "sh", "-c", "env -u REDISCLI_AUTH redis-cli ping").trimmedOutput
        #expect(refused.contains("NOAUTH"), "redis answered without a password: \(refused)")

        let config = try await shell.succeed(["curl", "-fsS", "--max-time", "20", "http://localhost/auth/api/v3/root/config/"])
        let object = try JSONSerialization.jsonObject(with: Data(config.standardOutput.utf8))
        #expect(object is [String: Any], "not a JSON object: \(config.standardOutput.prefix(200))")
        // The seed's own check: the API browser answers under the sub-path.
        let browser = try await shell.succeed([
            "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", "http://localhost/auth/api/v3/",
        ]).trimmedOutput
        #expect(browser == "200", "GET /auth/api/v3/ answered \(browser)")

        // The seed's completion criterion, "Authentik UI accessible at http://localhost/auth/":
        // / redirects into /auth/, and the first-run setup page and every script and stylesheet
        // it references answer 200, all under /auth/ (issue 16: authentik 2026.8's front server
        // is new; a UI that ignores its sub-path loads as a blank page).
        let root = try await shell.succeed([
            "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--max-time", "20", "http://localhost/",
        ]).trimmedOutput
        #expect(root.hasPrefix("404") || root.contains("/auth/"), "GET / answered \(root)")
        let setup = "http://localhost/auth/if/flow/initial-setup/"
        let page = try await shell.succeed(["curl", "-fsS", "--max-time", "20", setup]).standardOutput
        let assets = WebPageAssets(html: page)
        #expect(!assets.scripts.isEmpty && !assets.stylesheets.isEmpty, "the setup page references no assets: \(page.prefix(300))")
        for asset in assets.all {
            #expect(asset.hasPrefix("/auth/"), "\(asset) is outside /auth/")
            let status = try await shell.succeed([
                "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", "http://localhost" + asset,
            ]).trimmedOutput
            #expect(status == "200", "GET \(asset) answered \(status)")
        }
        let live = try await shell.succeed([
            "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", "http://localhost/auth/-/health/live/",
        ]).trimmedOutput
        #expect(live == "200", "GET /auth/-/health/live/ answered \(live)")

        // PostgreSQL 15.19 or later (CVE-2026-14669): the pinned pgvector tag does not name its patch level.
        let version = try await psql("SHOW server_version_num")
        #expect((Int(version) ?? 0) >= 150019, "PostgreSQL \(version) is older than 15.19")
    }

    // MARK: 11.5 persistence

    func task11_5_persistence(coldUp: Duration) async throws {
        let marker = "written-\(UUID().uuidString.prefix(8))"
        try await psql("CREATE TABLE IF NOT EXISTS provision_persistence (id int PRIMARY KEY, note text NOT NULL); "
            + "INSERT INTO provision_persistence VALUES (1, '\(marker)') ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note;")

        // A deleted pod comes back with its volume. Right after the deletion the StatefulSet's
        // status can still count the old pod as ready and the new pod may not exist yet
        // (`kubectl wait --for=condition=Ready` then fails with NotFound): wait for the new
        // pod to be created first.
        try await shell.kubectl("delete", "pod", "postgres-0", "-n", "staging-infra", "--wait=true")
        try await shell.kubectl("wait", "--for=create", "pod/postgres-0", "-n", "staging-infra", "--timeout=300s")
        try await shell.kubectl("wait", "--for=condition=Ready", "pod/postgres-0", "-n", "staging-infra", "--timeout=300s")
        #expect(try await psql("SELECT note FROM provision_persistence WHERE id = 1") == marker)

        // A deleted and recreated cluster finds the data again (host mount + Retain), with the same secrets.
        // The seed: ./scripts/k8s-teardown.sh and ./scripts/k8s-setup.sh, then the stack again.
        let secretsBefore = try secretFiles()
        let warm = ContinuousClock.now
        try await script("k8s-teardown.sh", limit: 600)
        try await script("k8s-setup.sh", limit: Self.setupLimit)
        try await script("k8s-deploy.sh", limit: Self.deployLimit)
        try RealCluster.writeSummary(coldUp: coldUp, warmDownUp: .now - warm)
        #expect(try secretFiles() == secretsBefore, "the generated secrets changed across down/up")
        #expect(try await psql("SELECT note FROM provision_persistence WHERE id = 1") == marker)
    }

    // MARK: image caches (issue 18)

    /// The caches `up` started: a mirror per registry, the local registry answering on
    /// localhost:5001 and announced in kube-public, containerd in the node pointed at them.
    func imageCaches() async throws {
        let containers = try await shell.succeed(
            ["docker", "ps", "--filter", "label=io.wrightnow.provision.role", "--format", "{{.Names}}"]).standardOutput
        for name in ["provision-registry", "provision-mirror-docker-io", "provision-mirror-ghcr-io"] {
            #expect(containers.split(separator: "\n").contains(Substring(name)), "cache \(name) is not running: \(containers)")
        }
        let catalog = try await shell.succeed(["curl", "-fsS", "http://localhost:5001/v2/_catalog"]).standardOutput
        #expect(catalog.contains("repositories"), "the local registry answers: \(catalog)")
        let hosting = try await shell.kubectl(
            "get", "configmap", "local-registry-hosting", "-n", "kube-public",
            "-o", "jsonpath={.data.localRegistryHosting\\.v1}").trimmedOutput
        #expect(hosting.contains("host: \"localhost:5001\""), "KEP-1755 ConfigMap: \(hosting)")
        let hosts = try await shell.succeed([
            "docker", "exec", "\(RealCluster.clusterName)-control-plane",
            "cat", "/etc/containerd/certs.d/docker.io/hosts.toml",
        ]).standardOutput
        #expect(hosts.contains("http://provision-mirror-docker-io:5000"), "the node's hosts.toml: \(hosts)")
        let status = try await provision(["status"])
        #expect(status.standardOutput.contains("provision-mirror-docker-io"))
        // The warm-up pulls are steps of the first up's run (setup is run 1).
        let show = try await provision(["history", "show", "1", "--format", "json"])
        #expect(show.standardOutput.contains("\"pull\""), "the first run has no pull steps")
    }

    // MARK: the existing backend (issue: deploy onto any existing cluster)

    /// The kind cluster, reached as a cluster provision did not create: through its context
    /// only, with no kind or docker call, recorded with the context and API server.
    func existingBackendOnTheSameCluster() async throws {
        let up = try await provision(
            ["up", "--backend", "existing", "--context", "kind-\(RealCluster.clusterName)", "--overlay", "local"],
            limit: Self.deployLimit)
        #expect(up.standardOutput.contains("The stack is up on existing cluster"))
        let history = try await provision(["history", "--json", "--limit", "1"])
        let runs = try #require(
            try JSONSerialization.jsonObject(with: Data(history.standardOutput.utf8)) as? [[String: Any]])
        #expect(runs.first?["backend"] as? String == "existing")
        #expect(runs.first?["context"] as? String == "kind-\(RealCluster.clusterName)")
        #expect((runs.first?["server"] as? String)?.hasPrefix("https://127.0.0.1:") == true)
        try await provision(["plan", "--down"])
    }

    // MARK: the Argo CD hand-over (issue 19)

    /// Argo CD installed by `up --with argocd`, the stack handed over through the local
    /// registry (the workspace's k8s/ as an OCI artifact), synced by Argo CD in the plan's waves
    /// until the Application is Synced and Healthy, `status` showing it per component; then
    /// `down --backend existing` deletes the Application before the stack.
    func argoCDHandOver() async throws {
        try await provision(["up", "--with", "argocd"], limit: Self.deployLimit)
        // export reads what it syncs from git: the workspace becomes a repository.
        let git = ["git", "-c", "user.name=real-cluster", "-c", "user.email=real-cluster@example.org"]
        try await shell.succeed(git + ["init", "-q"])
        try await shell.succeed(git + ["add", "k8s", "scripts"])
        try await shell.succeed(git + ["commit", "-q", "-m", "the stack"])
        let export = try await provision(["argocd", "export", "--source", "local-registry"], limit: 600)
        #expect(export.standardOutput.contains("Pushed: localhost:5001/wrightnow/stack:local"), "\(export)")
        try await shell.kubectl("apply", "-f", workspace.appending(path: "k8s/argocd/local/application.yaml").path)

        // Every Application provision handed over: Synced and Healthy (wave after wave).
        var last = ""
        let deadline = ContinuousClock.now + .seconds(900)
        while ContinuousClock.now < deadline {
            last = try await shell.kubectl(
                "get", "applications.argoproj.io", "-n", "argocd", "-l", "wrightnow/handed-over-by=provision",
                "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.sync.status}/{.status.health.status} {end}"
            ).trimmedOutput
            let states = last.split(separator: " ").map { $0.split(separator: "=").last.map(String.init) ?? "" }
            if !states.isEmpty, states.allSatisfy({ $0 == "Synced/Healthy" }) { break }
            try await Task.sleep(for: .seconds(10))
        }
        print("Argo CD Applications: \(last)")
        #expect(last == "wrightnow-local=Synced/Healthy", "Argo CD did not sync the stack: \(last)")
        let status = try await provision(["status", "--json"])
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        let components = try #require(report["components"] as? [[String: Any]])
        let handedOver = components.filter { $0["id"] as? String != "argocd" && $0["gitOps"] != nil }
        #expect(!handedOver.isEmpty, "status shows no Argo CD state: \(status.standardOutput)")
        for component in handedOver {
            let gitOps = component["gitOps"] as? [String: String]
            #expect(gitOps == ["sync": "Synced", "health": "Healthy"], "\(component["id"] ?? "?"): \(gitOps ?? [:])")
        }

        // `up` does not fight Argo CD: a value changed in k8s/ (not through Argo CD) is a field
        // Argo CD's manager holds with another value, and the apply is refused with the way back.
        let deployment = workspace.appending(path: "k8s/base/redis/deployment.yaml")
        let original = try String(contentsOf: deployment, encoding: .utf8)
        let changed = original.replacingOccurrences(of: "memory: 128Mi", with: "memory: 129Mi")
        try #require(changed != original, "k8s/base/redis/deployment.yaml no longer requests 128Mi")
        try changed.write(to: deployment, atomically: true, encoding: .utf8)
        let fight = try await shell.run([provisionBinary.path, "up", "--only", "redis"], limit: Self.deployLimit)
        try original.write(to: deployment, atomically: true, encoding: .utf8)
        print("$ provision up --only redis (a value changed after the hand-over)\n\(fight.standardOutput)\(fight.standardError)")
        #expect(fight.exitCode != 0, "up took fields Argo CD manages: \(fight)")
        #expect(fight.standardError.contains("Argo CD manages these objects now (field manager `argocd-controller`)"),
                "\(fight)")

        try await provision(
            ["down", "--backend", "existing", "--context", RealCluster.context], limit: 900)
        let runs = try #require(try JSONSerialization.jsonObject(
            with: Data(try await provision(["history", "--json", "--limit", "1"]).standardOutput.utf8)) as? [[String: Any]])
        let downRun = try #require(runs.first?["id"].map { "\($0)" })
        let steps = try await provision(["history", "show", downRun, "--format", "json"])
        #expect(steps.standardOutput.contains("\"reclaim\""), "down did not take the stack back first: \(steps)")
        let left = try await shell.kubectl(
            "get", "applications.argoproj.io", "-n", "argocd", "-l", "wrightnow/handed-over-by=provision", "-o", "name"
        ).trimmedOutput
        #expect(left.isEmpty, "Applications left after down: \(left)")
    }

    // MARK: 11.6 teardown

    func task11_6_teardown() async throws {
        let down = try await script("k8s-teardown.sh", limit: 600)
        #expect(down.standardOutput.contains("confirmed it is gone"))
        let clusters = try await shell.run(["kind", "get", "clusters"])
        #expect(!clusters.standardOutput.split(separator: "\n").contains("wrightnow"))
        let containers = try await shell.succeed(["docker", "ps", "-a", "--format", "{{.Names}}"]).standardOutput
        let leftovers = containers.split(separator: "\n").filter { $0.hasPrefix("wrightnow-") }
        #expect(leftovers.isEmpty, "containers left after down: \(leftovers)")

        let history = try await provision(["history", "--json"])
        let runs = try #require(
            try JSONSerialization.jsonObject(with: Data(history.standardOutput.utf8)) as? [[String: Any]])
        let expected = "setup, deploy, teardown, setup, deploy, up --backend existing, up --with argocd, "
            + "up refused by Argo CD's fields, down --backend existing, teardown"
        #expect(runs.count == 10, "expected \(expected): \(runs.count) runs")
        // Every run succeeded but the one the hand-over refused.
        #expect(runs.filter { $0["outcome"] as? String != "succeeded" }.count == 1, "\(runs)")

        // down kept the image caches; --remove-caches removes them.
        #expect(down.standardOutput.contains("--remove-caches"))
        let removed = try await provision(["down", "--remove-caches"], limit: 600)
        #expect(removed.standardOutput.contains("removed image caches"))
        let caches = try await shell.succeed(
            ["docker", "ps", "-a", "--filter", "label=io.wrightnow.provision.role", "--format", "{{.Names}}"]).standardOutput
        #expect(caches.isEmpty, "caches left after --remove-caches: \(caches)")
    }

    // MARK: Helpers

    @discardableResult
    func provision(_ arguments: [String], limit: TimeInterval = 120,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProcessResult {
        let result = try await shell.run([provisionBinary.path] + arguments, limit: limit)
        print("$ provision \(arguments.joined(separator: " "))\n\(result.standardOutput)\(result.standardError)")
        try #require(result.exitCode == 0, "provision \(arguments.joined(separator: " ")) failed: \(result)",
                     sourceLocation: sourceLocation)
        return result
    }

    /// Runs scripts/<name> of the workspace, which calls the provision on PATH.
    @discardableResult
    func script(_ name: String, _ arguments: [String] = [], limit: TimeInterval,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProcessResult {
        let result = try await shell.run([workspace.appending(path: "scripts/\(name)").path] + arguments, limit: limit)
        print("$ scripts/\(name) \(arguments.joined(separator: " "))\n\(result.standardOutput)\(result.standardError)")
        try #require(result.exitCode == 0, "scripts/\(name) failed: \(result)", sourceLocation: sourceLocation)
        return result
    }

    @discardableResult
    func psql(_ sql: String) async throws -> String {
        try await shell.kubectl(
            "exec", "-n", "staging-infra", "postgres-0", "-c", "postgres", "--",
            "psql", "-U", "postgres", "-d", "wrightnow", "-v", "ON_ERROR_STOP=1", "-tAc", sql
        ).trimmedOutput
    }

    func secretFiles() throws -> [String: String] {
        let directory = stateDirectory.appending(path: "clusters/wrightnow/secrets")
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".env") {
            files[name] = try String(contentsOf: directory.appending(path: name), encoding: .utf8)
        }
        return files
    }
}
