import Foundation
import Testing
import TestSupport

/// The fake docker, kind and kubectl for issue 18's image caches, run directly: their answers
/// are docker's own (Tests/Fixtures/fake-tools/docker cites the sources), and the pulls that
/// leave the machine are counted in `upstreamPulls`.
@Suite("fake registries: mirrors, the local registry and the node's pulls")
struct FakeRegistryTests {
    static let mirror = "provision-mirror-docker-io"

    static func docker(_ world: FakeWorld, _ arguments: String...) async throws -> ProcessResult {
        try await ChildProcess.run(["docker"] + arguments, environment: world.environment, workingDirectory: world.root)
    }

    /// Runs the docker.io mirror as the spec of issue 18 does; its host port.
    static func runMirror(_ world: FakeWorld) async throws -> Int {
        let run = try await docker(
            world, "run", "--detach", "--name", mirror, "--restart", "always",
            "--label", "io.wrightnow.provision.role=mirror",
            "--label", "io.wrightnow.provision.upstream=https://registry-1.docker.io",
            "--publish", "127.0.0.1::5000", "--volume", "\(mirror):/var/lib/registry",
            "--env", "REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io", "registry:3")
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.trimmedOutput.count == 64, "the container id: \(run)")
        return try #require(world.container(named: mirror)?.registryHostPort)
    }

    @Test("a second container of the same name: docker's conflict, exit 125")
    func nameConflict() async throws {
        let world = try FakeWorld()
        _ = try await Self.runMirror(world)
        let first = try #require(world.container(named: Self.mirror))
        let again = try await Self.docker(world, "run", "--detach", "--name", Self.mirror, "registry:3")
        #expect(again.exitCode == 125, "\(again)")
        #expect(again.standardError == """
            docker: Error response from daemon: Conflict. The container name "/\(Self.mirror)" is already in use by container "\(first.id)". You have to remove (or rename) that container to be able to reuse that name.

            Run 'docker run --help' for more information

            """, "\(again)")
        #expect(world.upstreamPulls == ["docker.io/library/registry:3 by host docker"])
    }

    @Test("a published port another container holds: the id, then docker's error, exit 125; the container stays created")
    func portTaken() async throws {
        let world = try FakeWorld()
        try world.addForeignContainer(name: "someone-elses-registry", publishing: world.registryHostPort)
        let run = try await Self.docker(
            world, "run", "--detach", "--name", "provision-registry", "--publish",
            "127.0.0.1:\(world.registryHostPort):5000", "registry:3")
        #expect(run.exitCode == 125, "\(run)")
        #expect(run.trimmedOutput.count == 64, "\(run)")
        #expect(run.standardError.hasPrefix(
            "Unable to find image 'registry:3' locally\n"), "\(run)")
        #expect(run.standardError.contains(
            "docker: Error response from daemon: driver failed programming external connectivity on endpoint provision-registry ("),
            "\(run)")
        #expect(run.standardError.hasSuffix(
            "): Bind for 127.0.0.1:\(world.registryHostPort) failed: port is already allocated\n\nRun 'docker run --help' for more information\n"),
            "\(run)")
        #expect(world.container(named: "provision-registry")?.status == "created")
    }

    @Test("a pull through a running mirror leaves the machine once; the survey shows the mirror")
    func pullThroughMirror() async throws {
        let world = try FakeWorld()
        let port = try await Self.runMirror(world)
        #expect(port >= 32768)
        for _ in 1...2 {
            let pull = try await Self.docker(world, "pull", "--quiet", "127.0.0.1:\(port)/library/postgres:15.19-alpine3.24")
            #expect(pull.exitCode == 0 && pull.standardOutput == "127.0.0.1:\(port)/library/postgres:15.19-alpine3.24\n", "\(pull)")
            let remove = try await Self.docker(world, "image", "rm", "127.0.0.1:\(port)/library/postgres:15.19-alpine3.24")
            #expect(remove.exitCode == 0 && remove.standardOutput.hasPrefix("Untagged: 127.0.0.1:\(port)/library/postgres:15.19-alpine3.24\n"), "\(remove)")
        }
        #expect(world.upstreamPulls == [
            "docker.io/library/registry:3 by host docker",
            "docker.io/library/postgres:15.19-alpine3.24 by mirror \(Self.mirror)",
        ])
        #expect(world.cachedImages(inVolume: Self.mirror) == ["library/postgres:15.19-alpine3.24"])
        let survey = try await Self.docker(
            world, "container", "inspect", "--format",
            #"{{.Name}}|{{.State.Status}}|{{index .Config.Labels "io.wrightnow.provision.role"}}|{{index .Config.Labels "io.wrightnow.provision.upstream"}}|{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{$p}}={{.HostIp}}:{{.HostPort}} {{end}}{{end}}|{{range $n, $e := .NetworkSettings.Networks}}{{$n}} {{end}}"#,
            Self.mirror, "provision-registry")
        #expect(survey.exitCode == 1, "\(survey)")
        #expect(survey.standardOutput == "/\(Self.mirror)|running|mirror|https://registry-1.docker.io|5000/tcp=127.0.0.1:\(port) |bridge \n", "\(survey)")
        #expect(survey.standardError == "Error response from daemon: No such container: provision-registry\n", "\(survey)")
        let df = try await Self.docker(
            world, "system", "df", "--verbose", "--format", #"{{range .Volumes}}{{.Name}}\t{{.Size}}\n{{end}}"#)
        #expect(df.standardOutput == "\(Self.mirror)\t25MB\n", "\(df)")
    }

    @Test("a pull through a stopped mirror: docker's connection refused, exit 1; start gives it another port")
    func pullWithStoppedMirror() async throws {
        let world = try FakeWorld()
        let port = try await Self.runMirror(world)
        try world.stopContainer(Self.mirror)
        let pull = try await Self.docker(world, "pull", "--quiet", "127.0.0.1:\(port)/library/redis:8.2")
        #expect(pull.exitCode == 1, "\(pull)")
        #expect(pull.standardOutput.isEmpty)
        #expect(pull.standardError == """
            Error response from daemon: Get "http://127.0.0.1:\(port)/v2/": dial tcp 127.0.0.1:\(port): connect: connection refused

            """, "\(pull)")
        let start = try await Self.docker(world, "start", Self.mirror)
        #expect(start.exitCode == 0 && start.standardOutput == "\(Self.mirror)\n", "\(start)")
        let restarted = try #require(world.container(named: Self.mirror)?.registryHostPort)
        #expect(restarted != port)
        #expect(world.upstreamPulls.count == 1, "\(world.upstreamPulls)")
    }

    @Test("network connect: unknown network, then connected, then already connected, as docker says")
    func networkConnect() async throws {
        let world = try FakeWorld()
        _ = try await Self.runMirror(world)
        let unknown = try await Self.docker(world, "network", "connect", "kind", Self.mirror)
        #expect(unknown.exitCode == 1 && unknown.standardError == "Error response from daemon: network kind not found\n", "\(unknown)")
        try await Self.createCluster(world)
        #expect(world.networks == ["kind"])
        let connect = try await Self.docker(world, "network", "connect", "kind", Self.mirror)
        #expect(connect.exitCode == 0 && connect.standardOutput.isEmpty, "\(connect)")
        let again = try await Self.docker(world, "network", "connect", "kind", Self.mirror)
        #expect(again.exitCode == 1, "\(again)")
        #expect(again.standardError == "Error response from daemon: endpoint with name \(Self.mirror) already exists in network kind\n", "\(again)")
        #expect(world.container(named: Self.mirror)?.networks == ["bridge", "kind"])
    }

    // MARK: The node's pulls

    /// A kind cluster `wrightnow` whose containerd reads hosts.toml from `certs` (the mirror's
    /// for docker.io) through an extraMount, as issue 18's kind config has it.
    static func createCluster(_ world: FakeWorld) async throws {
        let certs = world.root.appending(path: "certs")
        try FileManager.default.createDirectory(at: certs.appending(path: "docker.io"), withIntermediateDirectories: true)
        try """
            server = "https://registry-1.docker.io"
            [host."http://\(mirror):5000"]
              capabilities = ["pull", "resolve"]

            """.write(to: certs.appending(path: "docker.io/hosts.toml"), atomically: true, encoding: .utf8)
        let config = world.root.appending(path: "kind.yaml")
        try """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            containerdConfigPatches:
            - |-
              [plugins."io.containerd.grpc.v1.cri".registry]
                config_path = "/etc/containerd/certs.d"
            nodes:
            - role: control-plane
              extraMounts:
              - hostPath: certs
                containerPath: /etc/containerd/certs.d

            """.write(to: config, atomically: true, encoding: .utf8)
        let created = try await ChildProcess.run(
            ["kind", "create", "cluster", "--name", "wrightnow", "--config", config.path],
            environment: world.environment, workingDirectory: world.root)
        #expect(created.exitCode == 0, "\(created)")
        #expect(world.nodeContainerdConfig()?.configPath == "/etc/containerd/certs.d")
        #expect(world.nodeContainerdConfig()?.patched == true)
    }

    /// A world with that cluster and the running mirror on its network.
    static func clusterWithMirror() async throws -> FakeWorld {
        let world = try FakeWorld()
        try await createCluster(world)
        _ = try await runMirror(world)
        let connect = try await docker(world, "network", "connect", "kind", mirror)
        #expect(connect.exitCode == 0, "\(connect)")
        return world
    }

    static func apply(_ world: FakeWorld, image: String) async throws {
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
              namespace: default
            spec:
              template:
                spec:
                  containers:
                  - name: app
                    image: \(image)

            """
        let applied = try await ChildProcess.run(
            ["kubectl", "--context", "kind-wrightnow", "apply", "--server-side", "-f", "-"],
            environment: world.environment, workingDirectory: world.root, input: Data(manifest.utf8))
        #expect(applied.exitCode == 0, "\(applied)")
    }

    @Test("the node pulls through the mirror on the kind network: one pull leaves the machine, by the mirror")
    func nodePullViaMirror() async throws {
        let world = try await Self.clusterWithMirror()
        try await Self.apply(world, image: "postgres:15.19-alpine3.24")
        try await Self.apply(world, image: "postgres:15.19-alpine3.24")
        #expect(world.nodeImages() == ["docker.io/library/postgres:15.19-alpine3.24"])
        #expect(world.upstreamPulls == [
            "docker.io/library/registry:3 by host docker",
            "docker.io/library/postgres:15.19-alpine3.24 by mirror \(Self.mirror)",
        ])
        // A new cluster's node pulls again, from the mirror's cache: nothing leaves the machine.
        let deleted = try await ChildProcess.run(
            ["kind", "delete", "cluster", "--name", "wrightnow"], environment: world.environment)
        #expect(deleted.exitCode == 0 && world.networks == ["kind"], "\(deleted)")
        try await Self.createCluster(world)
        try await Self.apply(world, image: "postgres:15.19-alpine3.24")
        #expect(world.upstreamPulls.count == 2, "\(world.upstreamPulls)")
        #expect(world.nodeImages() == ["docker.io/library/postgres:15.19-alpine3.24"])
    }

    @Test("the node falls back to the upstream registry when the mirror is down")
    func nodePullFallsBack() async throws {
        let world = try await Self.clusterWithMirror()
        try world.stopContainer(Self.mirror)
        try await Self.apply(world, image: "redis:8.2")
        #expect(world.upstreamPulls.last == "docker.io/library/redis:8.2 by node wrightnow", "\(world.upstreamPulls)")
        #expect(world.cachedImages(inVolume: Self.mirror).isEmpty)
        #expect(world.nodePullFailures().isEmpty)
    }
}
