import Foundation
import ProcessRunning
import ProvisionCore

/// The Docker daemon, for providers whose nodes are containers (kind; k3d and minikube's
/// docker driver would be too).
public struct DockerDaemon: Sendable {
    let runner: any CommandRunner

    public init(runner: any CommandRunner) {
        self.runner = runner
    }

    /// `docker info` must reach the daemon. With the daemon down, `docker info --format ...`
    /// prints an empty line and the error on stderr, and exits 0 before docker 28.1.0 (1 from
    /// then on): the empty answer decides, not the status.
    public func problem() async -> Problem? {
        let command = Command("docker", ["info", "--format", "{{.ServerVersion}}"], timeout: .seconds(30))
        let output: CommandOutput
        do {
            output = try await runner.execute(command)
        } catch {
            return Problem(.preflight, problem: "`\(command)` could not run: \(error)", fix: ToolRequirements.docker.install)
        }
        let serverVersion = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        if output.exitStatus == 0, !serverVersion.isEmpty, !serverVersion.contains("<no value>") { return nil }
        let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
        if failure.combinedOutput.lowercased().contains("permission denied") {
            return Problem(
                .preflight,
                problem: "Docker is running but you may not use it (permission denied on the Docker socket)",
                fix: "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), "
                    + "or run provision with a user that may use Docker",
                cause: failure)
        }
        return Problem(
            .preflight,
            problem: "Docker is not running (the Docker daemon is not reachable)",
            fix: "start Docker Desktop, or on Linux `sudo systemctl start docker`; `docker info` must succeed",
            cause: failure)
    }
}
