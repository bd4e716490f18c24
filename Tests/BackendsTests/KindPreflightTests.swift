import Backends
import Foundation
import ProvisionCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("kind preflight")
struct KindPreflightTests {
    /// A fixture whose copied kind config publishes a port a real socket listens on (in place
    /// of 80) and a free one (in place of 443), with the real port checker.
    static func fixtureWithATakenPort() throws -> (fixture: KindFixture, listener: ListeningSocket, free: Int) {
        let listener = try ListeningSocket()
        let free = try ListeningSocket.freePort()
        let fixture = try KindFixture(portChecker: SocketPortChecker()) { config in
            config.replacingOccurrences(of: "hostPort: 80\n", with: "hostPort: \(listener.port)\n")
                .replacingOccurrences(of: "hostPort: 443\n", with: "hostPort: \(free)\n")
        }
        return (fixture, listener, free)
    }

    @Test func healthyMachineReportsVersionsAndNoWarnings() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.scriptHealthyTools()
        let report = try await fixture.backend.preflight(fixture.cluster, creatingCluster: true)
        #expect(report.warnings.isEmpty)
        #expect(report.toolVersions.map(\.description) == ["kind v0.33.0", "kubectl v1.37.1", "docker 28.2.2"])
        #expect(fixture.runner.commandLines == [
            "kind version", "kubectl version --client", "docker version --format '{{.Client.Version}}'",
            "docker info --format '{{.ServerVersion}}'",
        ])
        #expect(fixture.runner.unmatched.isEmpty)
    }

    @Test(arguments: ["kind", "kubectl", "docker"])
    func missingToolStopsWithInstallHint(tool: String) async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on(tool, prefix: [], answers: [.notFound])
        fixture.scriptHealthyTools()
        await #expect {
            try await fixture.backend.preflight(fixture.cluster, creatingCluster: false)
        } throws: { error in
            let text = "\(error)"
            return text.contains("\(tool) is not installed (not found on PATH)") && text.contains("fix: install")
                && (error as? Problem)?.kind == .preflight
        }
        // Without docker there is no daemon to ask; with it, the daemon is checked all the same.
        #expect(fixture.runner.commandLines.contains { $0.hasPrefix("docker info") } == (tool != "docker"))
    }

    @Test("every blocking problem at once: no kind, Docker stopped (an empty line, exit 0), a taken port")
    func everyBlockingProblemAtOnce() async throws {
        let (fixture, listener, _) = try Self.fixtureWithATakenPort()
        defer { listener.close() }
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", prefix: [], answers: [.notFound])
        // docker before 28.1.0 with its daemon down: the template renders empty, the error goes
        // to stderr, the exit status is 0 (docker/cli cli/command/system/info.go before 353230d9).
        fixture.runner.on("docker", "info", answers: .output(
            exit: 0, stdout: "\n",
            stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"))
        fixture.scriptHealthyTools()
        await #expect {
            try await fixture.backend.preflight(fixture.cluster, creatingCluster: true)
        } throws: { error in
            let text = "\(error)"
            return (error as? Problem)?.kind == .preflight
                && text.hasPrefix("3 problems must be fixed first:")
                && text.contains("1. kind is not installed") && text.contains("fix: install kind")
                && text.contains("2. Docker is not running") && text.contains("systemctl start docker")
                && text.contains("3. port \(listener.port) is already allocated") && text.contains("lsof -nP")
        }
    }

    @Test func dockerNotRunningIsNamedWithTheFix() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("docker", "info", answers: .output(
            exit: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"))
        // The client still prints its version when the daemon is down.
        fixture.runner.on("docker", "version", answers: .output(exit: 1, stdout: "28.2.2\n", stderr: "Cannot connect\n"))
        fixture.scriptHealthyTools()
        await #expect {
            try await fixture.backend.preflight(fixture.cluster, creatingCluster: true)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("Docker is not running") && text.contains("systemctl start docker")
                && text.contains("docker info --format") && text.contains("Is the docker daemon running?")
        }
    }

    @Test func dockerSocketPermissionIsNotMistakenForAStoppedDaemon() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("docker", "info", answers: .output(
            exit: 1, stderr: "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n"))
        fixture.scriptHealthyTools()
        await #expect {
            try await fixture.backend.preflight(fixture.cluster, creatingCluster: false)
        } throws: { "\($0)".contains("usermod -aG docker") }
    }

    /// A real listening socket on the port the (copied) kind config publishes.
    @Test func takenPortStopsPreflightWhenACusterMustBeCreated() async throws {
        let (fixture, listener, free) = try Self.fixtureWithATakenPort()
        defer { listener.close() }
        defer { fixture.temporary.remove() }
        fixture.scriptHealthyTools()
        await #expect {
            try await fixture.backend.preflight(fixture.cluster, creatingCluster: true)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("port \(listener.port) is already allocated")
                && !text.contains("port \(free) is already allocated")
                && text.contains("k8s/overlays/local/kind-cluster-config.yaml")
                && text.contains("ss -ltnp")
        }
        // An existing cluster holds its own ports: nothing to check then.
        _ = try await fixture.backend.preflight(fixture.cluster, creatingCluster: false)
    }

    @Test func freePortsFromTheConfigPass() async throws {
        let first = try ListeningSocket.freePort(), second = try ListeningSocket.freePort()
        let fixture = try KindFixture(portChecker: SocketPortChecker()) { config in
            config.replacingOccurrences(of: "hostPort: 80\n", with: "hostPort: \(first)\n")
                .replacingOccurrences(of: "hostPort: 443\n", with: "hostPort: \(second)\n")
        }
        defer { fixture.temporary.remove() }
        fixture.scriptHealthyTools()
        #expect(try await fixture.backend.preflight(fixture.cluster, creatingCluster: true).warnings.isEmpty)
    }

    @Test func portsThatCannotBeCheckedAreWarnings() async throws {
        let fixture = try KindFixture(portChecker: CannotCheck())
        defer { fixture.temporary.remove() }
        fixture.scriptHealthyTools()
        let warnings = try await fixture.backend.preflight(fixture.cluster, creatingCluster: true).warnings
        // The ports come from the config file, not from the code.
        #expect(warnings.map(\.problem) == [
            "cannot check whether port 80 is free (binding port 80 needs root privileges)",
        ])
    }

    @Test func kindOlderThanTheMinimumStopsPreflight() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "version", answers: .output(stdout: "kind v0.20.0 go1.20.4 linux/amd64\n"))
        fixture.scriptHealthyTools()
        await #expect {
            try await fixture.backend.preflight(fixture.cluster, creatingCluster: false)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("kind v0.20.0 is older than \(ToolRequirements.kind.minimum)")
                && text.contains("NetworkPolicies") && text.contains("fix: install kind v0.33.0 or newer")
        }
    }

    @Test("kubectl more than one minor version from the node image's Kubernetes is a warning")
    func kubectlSkewIsAWarning() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "version", answers: .output(stdout: "Client Version: v1.35.4\nKustomize Version: v5.7.1\n"))
        fixture.scriptHealthyTools()
        let warnings = try await fixture.backend.preflight(fixture.cluster, creatingCluster: false).warnings
        #expect(warnings.map(\.problem) == [
            "kubectl v1.35.4 is 2 minor versions away from the cluster's Kubernetes 1.37; "
                + "kubectl supports one minor version either side",
        ])
        #expect(warnings.first?.fix.hasPrefix("install kubectl 1.36 to 1.38") == true)
    }

    @Test func lowInotifyLimitsAreAWarningWithTheSysctlFix() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.scriptHealthyTools()
        try "8192\n".write(to: fixture.procRoot.appending(path: "sys/fs/inotify/max_user_watches"), atomically: true, encoding: .utf8)
        try "128\n".write(to: fixture.procRoot.appending(path: "sys/fs/inotify/max_user_instances"), atomically: true, encoding: .utf8)
        let warnings = try await fixture.backend.preflight(fixture.cluster, creatingCluster: false).warnings
        #expect(warnings.count == 1)
        let warning = try #require(warnings.first)
        #expect(warning.problem.contains("fs.inotify.max_user_watches is 8192, kind needs 524288"))
        #expect(warning.problem.contains("fs.inotify.max_user_instances is 128, kind needs 512"))
        #expect(warning.fix.hasPrefix("sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512"))
    }

    @Test func hostsWithoutProcLimitsGetNoInotifyWarning() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.scriptHealthyTools()
        try FileManager.default.removeItem(at: fixture.procRoot)
        #expect(try await fixture.backend.preflight(fixture.cluster, creatingCluster: false).warnings.isEmpty)
    }

    @Test func missingKindConfigIsAnErrorOnlyWhenCreating() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.scriptHealthyTools()
        try FileManager.default.removeItem(at: fixture.configFile)
        _ = try await fixture.backend.preflight(fixture.cluster, creatingCluster: false)
        await #expect {
            try await fixture.backend.preflight(fixture.cluster, creatingCluster: true)
        } throws: { "\($0)".contains("cannot read the kind cluster config") }
    }
}
