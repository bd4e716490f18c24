import Backends
import Foundation
import ProvisionCore
import TestSupport
import Testing

@Suite("kind cluster lifecycle")
struct KindClusterLifecycleTests {
    @Test func existingClusterIsReusedWithoutCreating() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "config", "get-contexts", answers: .output(stdout: "kind-other\nkind-wrightnow\n"))
        // Preflight asked `kind get clusters` already; only the kubeconfig is looked at.
        #expect(try await fixture.backend.ensureCluster(fixture.cluster, exists: true) == .reused)
        #expect(fixture.runner.commandLines == ["kubectl config get-contexts -o name"])
    }

    @Test func reusedClusterWithoutKubeconfigEntryGetsItBack() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "config", "get-contexts", answers: .output(stdout: "kind-wrightnow-old\n"))
        fixture.runner.on("kind", "export", "kubeconfig", answers: .output(stderr: "Set kubectl context to \"kind-wrightnow\"\n"))
        // kind's merge.go makes the exported context the current one; provision puts the user's back.
        fixture.runner.on("kubectl", "config", "current-context", answers:
            .output(stdout: "team-staging\n"), .output(stdout: "kind-wrightnow\n"))
        fixture.runner.on("kubectl", "config", "use-context", answers: .output(stdout: "Switched to context \"team-staging\".\n"))
        let provisioning = try await fixture.backend.ensureCluster(fixture.cluster, exists: true)
        #expect(provisioning.outcome == .reused)
        #expect(provisioning.notes.contains { $0.contains("switched it back to `team-staging`") })
        #expect(fixture.runner.commandLines.suffix(4) == [
            "kubectl config current-context", "kind export kubeconfig --name wrightnow",
            "kubectl config current-context", "kubectl config use-context team-staging",
        ])
        #expect(fixture.runner.unmatched.isEmpty)
    }

    @Test func missingClusterIsCreatedFromTheConfigInTheRepositoryRoot() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "create", "cluster", answers: .output(stderr: "Set kubectl context to \"kind-wrightnow\"\n"))
        // No image cache exists yet (`docker ps` lists none), so none joins kind's network.
        fixture.runner.on("docker", "ps", answers: .output())
        let dataDirectory = try #require(try fixture.backend.dataDirectory(for: fixture.cluster))
        #expect(!FileManager.default.fileExists(atPath: dataDirectory.path))

        #expect(try await fixture.backend.ensureCluster(fixture.cluster, exists: false) == .created)

        let create = try #require(fixture.runner.calls.last { $0.executable == "kind" })
        #expect(create.arguments == [
            "create", "cluster", "--name", "wrightnow", "--config", fixture.configFile.path, "--wait", "120s",
        ])
        #expect(create.workingDirectory == fixture.repositoryRoot.standardizedFileURL.path)
        // The host side of the extraMount exists before kind runs (else Docker makes it, owned by root).
        #expect(dataDirectory.path == fixture.repositoryRoot.appending(path: ".data/local-path-provisioner").standardizedFileURL.path)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dataDirectory.path, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    @Test("a new cluster joins the image caches to the kind network kind made with it")
    func newClusterJoinsTheCaches() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "create", "cluster", answers: .output())
        fixture.runner.on("docker", "ps", "--all", "--quiet", "--filter", "label=io.wrightnow.provision.role",
                          answers: .output(stdout: "4928bfa0f0e5\n9c1d2e3f4a5b\n"))
        fixture.runner.on("docker", "container", "inspect", answers: .output(stdout: """
            /provision-registry|running|registry|localhost:5001|5000/tcp=127.0.0.1:5001 |bridge kind 
            /provision-mirror-docker-io|running|mirror|docker.io|5000/tcp=127.0.0.1:32768 |bridge 

            """))
        fixture.runner.on("docker", "network", "connect", answers: .output())
        fixture.runner.on("kubectl", "config", "current-context", answers: .output(exit: 1, stderr: "error: current-context is not set\n"))

        let provisioning = try await fixture.backend.ensureCluster(fixture.cluster, exists: false)
        #expect(provisioning.outcome == .created)
        #expect(provisioning.notes.contains("joined 1 image cache(s) to network `kind`"))
        #expect(fixture.runner.commandLines.contains("docker network connect kind provision-mirror-docker-io"))
        #expect(!fixture.runner.commandLines.contains("docker network connect kind provision-registry"))
        #expect(fixture.runner.unmatched.isEmpty)
    }

    /// What kind printed decides the problem; the command line and kind's output come with it.
    @Test(arguments: [
        ("ERROR: failed to create cluster: could not find a log line that matches \"Reached target .*Multi-User System.*\"\n",
         ["kind could not create cluster wrightnow", "kind create cluster --name wrightnow --config",
          "Multi-User System", "exited with status 1"]),
        ("Bind for 127.0.0.1:80 failed: port is already allocated\n",
         ["another container already publishes host port 80", "docker ps --filter publish=80"]),
    ])
    func failedCreateSaysWhatKindSaid(standardError: String, expected: [String]) async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "get", "clusters", answers: .output())
        fixture.runner.on("kind", "create", "cluster", answers: .output(exit: 1, stderr: standardError))
        await #expect {
            try await fixture.backend.ensureCluster(fixture.cluster, exists: false)
        } throws: { error in expected.allSatisfy { "\(error)".contains($0) } }
    }

    @Test func deleteConfirmsTheClusterIsGone() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "delete", "cluster", answers: .output(stderr: "Deleting cluster \"wrightnow\" ...\n"))
        fixture.runner.on("kind", "get", "clusters", answers: .output(stdout: "other\n"))
        try await fixture.backend.deleteCluster(fixture.cluster)
        #expect(fixture.runner.commandLines == ["kind delete cluster --name wrightnow", "kind get clusters"])
    }

    @Test func deleteThatLeavesTheClusterListedIsAnError() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "delete", "cluster", answers: .output())
        fixture.runner.on("kind", "get", "clusters", answers: .output(stdout: "wrightnow\n"))
        await #expect {
            try await fixture.backend.deleteCluster(fixture.cluster)
        } throws: { "\($0)".contains("still lists wrightnow") }
    }

    @Test func deleteFailureNamesTheCommand() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "delete", "cluster", answers: .output(exit: 1, stderr: "ERROR: failed to delete cluster\n"))
        await #expect {
            try await fixture.backend.deleteCluster(fixture.cluster)
        } throws: { "\($0)".contains("kind delete cluster --name wrightnow") }
    }

    @Test func contextAndDataDirectory() throws {
        let fixture = try KindFixture { $0.replacingOccurrences(of: "hostPath: .data/local-path-provisioner", with: "hostPath: /srv/wrightnow-data") }
        defer { fixture.temporary.remove() }
        #expect(fixture.backend.kubeContext(for: fixture.cluster) == "kind-wrightnow")
        #expect(try fixture.backend.dataDirectory(for: fixture.cluster)?.path == "/srv/wrightnow-data")
    }

    @Test func realConfigPublishesPortsAndMountsData() throws {
        let config = try KindClusterConfig(
            contentsOf: Repository.k8s.appending(path: "overlays/local/kind-cluster-config.yaml"))
        #expect(config.portMappings.map(\.hostPort) == [80])
        #expect(config.ingressURL == "http://localhost/")
        #expect(config.dataMount?.containerPath == KindClusterConfig.volumeDataPath)
        let seeds = try KindClusterConfig(
            contentsOf: Repository.k8s.appending(path: "overlays/local-ingress-nginx/kind-cluster-config.yaml"))
        #expect(Set(seeds.portMappings.map(\.hostPort)) == [80, 443])
        #expect(seeds.ingressURL == "http://localhost/")
    }
}
