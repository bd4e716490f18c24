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
        }
        #expect(!fixture.runner.commandLines.contains { $0.hasPrefix("docker info") })
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
        let listener = try ListeningSocket()
        defer { listener.close() }
        let free = try ListeningSocket.freePort()
        let fixture = try KindFixture(portChecker: SocketPortChecker()) { config in
            config.replacingOccurrences(of: "hostPort: 80\n", with: "hostPort: \(listener.port)\n")
                .replacingOccurrences(of: "hostPort: 443\n", with: "hostPort: \(free)\n")
        }
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
            "cannot check whether port 443 is free (binding port 443 needs root privileges)",
        ])
    }

    @Test func kindWithoutNetworkPolicySupportIsAWarning() async throws {
        let fixture = try KindFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kind", "version", answers: .output(stdout: "kind v0.20.0 go1.20.4 linux/amd64\n"))
        fixture.scriptHealthyTools()
        let warnings = try await fixture.backend.preflight(fixture.cluster, creatingCluster: false).warnings
        #expect(warnings.map(\.problem) == [
            "kind v0.20.0 is older than v0.24.0: its network plugin does not enforce NetworkPolicies, "
                + "so the stack's isolation rules would be silently ignored",
        ])
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
