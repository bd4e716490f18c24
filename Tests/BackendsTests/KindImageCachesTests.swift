import Foundation
import ProvisionCore
import Testing
import TestSupport
@testable import Backends

/// The kind backend's image caches through the process boundary, with docker's answers
/// scripted as the docker CLI gives them (sources in Tests/Fixtures/fake-tools/docker).
@Suite("kind image caches")
struct KindImageCachesTests {
    // MARK: Image references

    @Test(
        "image references split as Docker reads them: registry, repository, tag, digest",
        arguments: [
            ("postgres:15.19-alpine3.24", "docker.io", "library/postgres", "15.19-alpine3.24", nil),
            ("pgvector/pgvector:0.8.6-pg15-trixie", "docker.io", "pgvector/pgvector", "0.8.6-pg15-trixie", nil),
            ("ghcr.io/goauthentik/server:2026.8.7", "ghcr.io", "goauthentik/server", "2026.8.7", nil),
            ("registry.k8s.io/ingress-nginx/controller:v1.12.1@sha256:ab12", "registry.k8s.io", "ingress-nginx/controller", "v1.12.1", "sha256:ab12"),
            ("localhost:5001/core-backend:dev", "localhost:5001", "core-backend", "dev", nil),
            ("index.docker.io/library/redis", "docker.io", "library/redis", nil, nil),
            ("quay.io/jetstack/cert-manager-controller@sha256:cd34", "quay.io", "jetstack/cert-manager-controller", nil, "sha256:cd34"),
        ] as [(String, String, String, String?, String?)])
    func references(_ text: String, registry: String, repository: String, tag: String?, digest: String?) throws {
        let reference = try #require(ImageReference(text))
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest == digest)
    }

    @Test("what is not an image reference is refused; a mirror's address replaces the registry")
    func malformedAndRehomed() throws {
        for text in ["", ":1", "redis:", "redis@"] { #expect(ImageReference(text) == nil, "\(text)") }
        #expect(ImageReference("postgres:15")?.on("127.0.0.1:32768") == "127.0.0.1:32768/library/postgres:15")
        #expect(ImageReference("ghcr.io/a/b@sha256:ef")?.on("127.0.0.1:1") == "127.0.0.1:1/a/b@sha256:ef")
    }

    // MARK: What k8s/ declares

    @Test("both kind configs point containerd's config_path at a mounted host directory")
    func kindConfigsMountTheHostsDirectory() throws {
        for overlay in ["local", "local-ingress-nginx"] {
            let config = try KindClusterConfig(
                contentsOf: Repository.k8s.appending(path: "overlays/\(overlay)/\(KindProvider.configFileName)"))
            #expect(config.registryConfigPath == "/etc/containerd/certs.d", "\(overlay)")
            #expect(config.registryHostsMount?.hostPath == ".data/containerd-certs.d", "\(overlay)")
        }
        let bare = try KindClusterConfig(yaml: "nodes:\n  - role: control-plane\n", source: "test")
        #expect(bare.registryConfigPath == nil && bare.registryHostsMount == nil)
    }

    @Test("the local registry's address is read from the KEP-1755 ConfigMap in k8s/")
    func localRegistryFromTheConfigMap() throws {
        let hosting = try #require(try LocalRegistryHosting.load(manifestsRoot: Repository.k8s))
        #expect(hosting == LocalRegistryHosting(
            host: "localhost:5001", hostPort: 5001, containerName: "provision-registry", containerPort: 5000))
        let cache = RegistryCache.local(hosting)
        #expect(cache.publish == "127.0.0.1:5001:5000")
        #expect(cache.upstream == nil)
    }

    @Test("a ConfigMap without the KEP's fields is a usage problem naming the file; no file, no registry")
    func brokenConfigMap() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try LocalRegistryHosting.load(manifestsRoot: directory.url) == nil)
        _ = try directory.write(
            "kind: ConfigMap\ndata:\n  localRegistryHosting.v1: |\n    host: \"example.org:5001\"\n"
                + "    hostFromClusterNetwork: \"r:5000\"\n",
            to: LocalRegistryHosting.file)
        let problem = try #require(throws: Problem.self) { try LocalRegistryHosting.load(manifestsRoot: directory.url) }
        #expect(problem.kind == .usage)
        #expect(problem.problem.contains("k8s/components/kind-registry/local-registry-hosting.yaml"))
        #expect(problem.problem.contains("example.org:5001"))
    }

    // MARK: The caches

    func caches(_ runner: ScriptedRunner, in directory: TemporaryDirectory, ports: any PortChecker = AlwaysFree())
        -> KindImageCaches
    {
        KindImageCaches(
            runner: runner, hostsDirectory: directory.url.appending(path: "certs.d"),
            hostsDirectoryShown: ".data/containerd-certs.d",
            local: LocalRegistryHosting(host: "localhost:5001", hostPort: 5001, containerName: "provision-registry", containerPort: 5000),
            portChecker: ports)
    }

    static let images = [
        "postgres:15.19-alpine3.24", "ghcr.io/goauthentik/server:2026.8.7", "localhost:5001/core-backend:dev",
        "ghcr.io/goauthentik/server:2026.8.7",
    ]

    @Test("a mirror per registry the images come from, sorted, after the local registry; local images are not mirrored")
    func derivedFromTheImages() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let caches = caches(ScriptedRunner(), in: directory)
        #expect(caches.caches(for: Self.images).map(\.name) == [
            "provision-registry", "provision-mirror-docker-io", "provision-mirror-ghcr-io",
        ])
        let mirror = RegistryCache.mirror(of: "registry.k8s.io")
        #expect(mirror.name == "provision-mirror-registry-k8s-io")
        #expect(mirror.upstream == "https://registry.k8s.io")
        #expect(RegistryCache.mirror(of: "docker.io").upstream == "https://registry-1.docker.io")
    }

    @Test("hosts.toml: the mirror first, then the upstream as containerd's fallback; the local registry alone")
    func hostsFiles() {
        #expect(RegistryCache.mirror(of: "docker.io").hostsToml == """
            # Written by provision: docker.io through the image cache provision-mirror-docker-io.
            server = "https://registry-1.docker.io"

            [host."http://provision-mirror-docker-io:5000"]
              capabilities = ["pull", "resolve"]

            """)
        let local = RegistryCache.local(
            LocalRegistryHosting(host: "localhost:5001", hostPort: 5001, containerName: "provision-registry", containerPort: 5000))
        #expect(!local.hostsToml.contains("server ="))
        #expect(local.hostsToml.contains("[host.\"http://provision-registry:5000\"]"))
    }

    /// `docker container inspect` of the survey template for containers that do not exist.
    static func noSuchContainers(_ names: [String]) -> ScriptedRunner.Answer {
        .output(exit: 1, stderr: names.map { "Error response from daemon: No such container: \($0)\n" }.joined())
    }

    @Test("first start: volumes and containers made, hosts files written, the warm-up pulls through the published port")
    func firstStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runner = ScriptedRunner()
        let names = ["provision-registry", "provision-mirror-docker-io", "provision-mirror-ghcr-io"]
        runner.on("docker", "container", "inspect", answers: Self.noSuchContainers(names), .output(stdout: """
            /provision-registry|running|registry|localhost:5001|5000/tcp=127.0.0.1:5001 |bridge 
            /provision-mirror-docker-io|running|mirror|docker.io|5000/tcp=127.0.0.1:32768 |bridge 
            /provision-mirror-ghcr-io|running|mirror|ghcr.io|5000/tcp=127.0.0.1:32769 |bridge 

            """))
        runner.on("docker", "volume", "inspect", answers: .output(
            exit: 1, stderr: names.map { "Error response from daemon: get \($0): no such volume\n" }.joined()))
        runner.on("docker", "volume", "create", answers: .output(stdout: "x\n"))
        runner.on("docker", "run", answers: .output(stdout: String(repeating: "a", count: 64) + "\n"))
        // No kind cluster was ever made: kind's network does not exist yet (moby daemon/network.go).
        runner.on("docker", "network", "connect", answers: .output(exit: 1, stderr: "Error response from daemon: network kind not found\n"))
        runner.on("docker", "pull", answers: .output(stdout: "127.0.0.1:32768/library/postgres:15.19-alpine3.24\n"))
        runner.on("docker", "image", "rm", answers: .output(stdout: "Untagged: x\n"))
        let caches = caches(runner, in: directory)

        let started = try await caches.start(for: Self.images)
        #expect(runner.unmatched.isEmpty)
        #expect(started.warmable == ["postgres:15.19-alpine3.24", "ghcr.io/goauthentik/server:2026.8.7", "ghcr.io/goauthentik/server:2026.8.7"])
        #expect(started.note.contains("started provision-registry, started provision-mirror-docker-io, started provision-mirror-ghcr-io"))
        let lines = runner.commandLines
        #expect(lines.contains(
            "docker volume create --label io.wrightnow.provision.role=mirror --label io.wrightnow.provision.serves=docker.io "
                + "--label io.wrightnow.provision.cache-format=1 provision-mirror-docker-io"))
        #expect(lines.contains(
            "docker run --detach --name provision-mirror-docker-io --restart always --label io.wrightnow.provision.role=mirror "
                + "--label io.wrightnow.provision.serves=docker.io --publish 127.0.0.1::5000 "
                + "--volume provision-mirror-docker-io:/var/lib/registry "
                + "--env REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io registry:3"))
        #expect(lines.contains(
            "docker run --detach --name provision-registry --restart always --label io.wrightnow.provision.role=registry "
                + "--label io.wrightnow.provision.serves=localhost:5001 --publish 127.0.0.1:5001:5000 "
                + "--volume provision-registry:/var/lib/registry registry:3"))
        for (registry, cache) in [("docker.io", "provision-mirror-docker-io"), ("localhost:5001", "provision-registry")] {
            let file = directory.url.appending(path: "certs.d/\(registry)/hosts.toml")
            #expect(try String(contentsOf: file, encoding: .utf8).contains("[host.\"http://\(cache):5000\"]"))
        }

        let note = try await caches.warmUp("postgres:15.19-alpine3.24")
        #expect(note == "cached by provision-mirror-docker-io")
        #expect(runner.commandLines.suffix(2) == [
            "docker pull --quiet 127.0.0.1:32768/library/postgres:15.19-alpine3.24",
            "docker image rm 127.0.0.1:32768/library/postgres:15.19-alpine3.24",
        ])
    }

    @Test("an up with the caches running makes no container: one inspect each, joins kind's network when missing")
    func warmCachesAreReused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runner = ScriptedRunner()
        runner.on("docker", "container", "inspect", answers: .output(stdout: """
            /provision-registry|running|registry|localhost:5001|5000/tcp=127.0.0.1:5001 |bridge kind 
            /provision-mirror-docker-io|exited|mirror|docker.io||bridge 
            /provision-mirror-ghcr-io|running|mirror|ghcr.io|5000/tcp=127.0.0.1:32769 |bridge kind 

            """), .output(stdout: """
            /provision-registry|running|registry|localhost:5001|5000/tcp=127.0.0.1:5001 |bridge kind 
            /provision-mirror-docker-io|running|mirror|docker.io|5000/tcp=127.0.0.1:32770 |bridge 
            /provision-mirror-ghcr-io|running|mirror|ghcr.io|5000/tcp=127.0.0.1:32769 |bridge kind 

            """))
        runner.on("docker", "volume", "inspect", answers: .output(stdout: """
            provision-registry|registry|1
            provision-mirror-docker-io|mirror|1
            provision-mirror-ghcr-io|mirror|1

            """))
        runner.on("docker", "start", answers: .output(stdout: "provision-mirror-docker-io\n"))
        runner.on("docker", "network", "connect", answers: .output())
        let started = try await caches(runner, in: directory).start(for: Self.images)
        #expect(runner.unmatched.isEmpty)
        #expect(!runner.commandLines.contains { $0.hasPrefix("docker run") || $0.hasPrefix("docker volume create") })
        #expect(runner.commandLines.contains("docker start provision-mirror-docker-io"))
        #expect(runner.commandLines.contains("docker network connect kind provision-mirror-docker-io"))
        #expect(started.note.contains("restarted provision-mirror-docker-io; 2 already running"))
    }

    @Test("preflight: a foreign container of a cache's name, a volume of another format, the registry's port taken")
    func preflightProblems() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runner = ScriptedRunner()
        runner.on("docker", "container", "inspect", answers: .output(exit: 1, stdout: """
            /provision-mirror-docker-io|running|||5000/tcp=0.0.0.0:5000 |bridge 

            """, stderr: "Error response from daemon: No such container: provision-registry\n"))
        runner.on("docker", "volume", "inspect", answers: .output(stdout: """
            provision-registry|registry|0
            provision-mirror-ghcr-io||

            """))
        let problem = try await #require(throws: Problem.self) {
            try await caches(runner, in: directory, ports: AlwaysTaken()).start(for: Self.images)
        }
        #expect(problem.kind == .preflight)
        #expect(problem.problem.hasPrefix("4 problems must be fixed first:"))
        // Found before anything was made or started.
        #expect(!runner.commandLines.contains { $0.hasPrefix("docker run") || $0.hasPrefix("docker volume create") })
        let text = problem.description
        #expect(text.contains("a container named provision-mirror-docker-io exists but is not provision's mirror for docker.io"))
        #expect(text.contains("docker rename provision-mirror-docker-io provision-mirror-docker-io-old"))
        #expect(text.contains("the volume provision-registry holds cache format '0' of another provision version"))
        #expect(text.contains("the volume provision-mirror-ghcr-io was not made by provision"))
        #expect(text.contains("provision down --remove-caches"))
        #expect(text.contains("port 5001 is already allocated"))
        #expect(text.contains("change `host` in k8s/components/kind-registry/local-registry-hosting.yaml"))
    }

    @Test("a daemon that does not answer fails the start with docker's own message")
    func daemonDown() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runner = ScriptedRunner()
        runner.on("docker", answers: .output(
            exit: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"))
        let error = try await #require(throws: (any Error).self) { try await caches(runner, in: directory).start(for: Self.images) }
        #expect(String(describing: error).contains("Is the docker daemon running?"))
        #expect(runner.calls.count == 1)
    }

    @Test("a cache that will not start is a warning naming it, docker's reason and what the node does instead")
    func failedRun() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runner = ScriptedRunner()
        runner.on("docker", "container", "inspect", answers: Self.noSuchContainers(["provision-registry"]))
        runner.on("docker", "volume", "inspect", answers: .output(stdout: "provision-registry|registry|1\n"))
        runner.on("docker", "run", answers: .output(
            exit: 125,
            stderr: "docker: Error response from daemon: failed to set up container networking: driver failed programming "
                + "external connectivity on endpoint provision-registry (ab12): Bind for 127.0.0.1:5001 failed: port is "
                + "already allocated\n\nRun 'docker run --help' for more information\n"))
        let started = try await caches(runner, in: directory).start(for: [])
        let warning = try #require(started.warnings.first)
        #expect(started.warnings.count == 1)
        #expect(warning.problem.hasPrefix("could not start the image cache provision-registry (registry for localhost:5001): "
            + "docker: Error response from daemon: failed to set up container networking"))
        #expect(warning.problem.hasSuffix("port is already allocated; nodes pull from localhost:5001 itself "
            + "(images pushed to it cannot be pulled)"))
        #expect(warning.fix.contains("provision down --remove-caches"))
        #expect(started.note.contains("1 could not start"))
        // Not joined to kind's network: it does not run.
        #expect(!runner.commandLines.contains { $0.hasPrefix("docker network connect") })
    }
}

struct AlwaysTaken: PortChecker {
    func availability(ofTCPPort port: Int, address: String) -> PortAvailability { .inUse }
}
