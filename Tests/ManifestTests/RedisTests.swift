import Foundation
import TestSupport
import Testing

/// The Redis command line and probe, parsed from the rendered Deployment and run against a
/// real redis-server: the password works, and data written before a hard kill survives.
@Suite("Redis command line and probe, against a real server")
struct RedisTests {
    /// The `redis` container as the kubelet would start it, with test values for the Secret.
    struct Manifest {
        var command: [String]
        var arguments: [String]
        var environment: [String: String]
        var probe: [String]
        var dataMountPath: String

        static func load(password: String) async throws -> Manifest {
            let deployment = try #require(try await RenderCache.shared.rendering(of: .localOverlay).object("Deployment", "redis"))
            let container = try #require(deployment.containers.first { $0.name == "redis" })
            var environment: [String: String] = [:]
            for variable in container.env {
                let name = try #require(Tree.string(variable["name"]))
                if let value = Tree.string(variable["value"]) {
                    environment[name] = value
                } else if Tree.value(variable, at: "valueFrom.secretKeyRef.key") as? String == "REDIS_PASSWORD" {
                    environment[name] = password
                }
            }
            let mount = try #require(container.volumeMounts.first { Tree.string($0["name"]) == "data" })
            return Manifest(
                command: container.command,
                arguments: container.args.map { Self.expand($0, environment) },
                environment: environment,
                probe: try #require(container.probeCommand("readinessProbe")),
                dataMountPath: try #require(Tree.string(mount["mountPath"])))
        }

        /// The kubelet's `$(NAME)` substitution in args.
        static func expand(_ argument: String, _ environment: [String: String]) -> String {
            environment.reduce(argument) { $0.replacingOccurrences(of: "$(\($1.key))", with: $1.value) }
        }

        /// The server's command line with the volume replaced by `directory` and a free port.
        func serverCommand(directory: String, port: Int, replacing: [String: String] = [:]) throws -> [String] {
            var arguments = arguments
            let dir = try #require(arguments.firstIndex(of: "--dir"), "the manifest must name the data directory")
            #expect(arguments[dir + 1] == dataMountPath, "--dir must be the volume's mount path")
            arguments[dir + 1] = directory
            for (index, argument) in arguments.enumerated() {
                if let replacement = replacing[argument], index > 0 { arguments[index] = replacement }
            }
            return command + arguments + ["--port", String(port), "--bind", "127.0.0.1"]
        }

        /// The probe aimed at the test port: the only change to the manifest's command.
        func probeCommand(port: Int) throws -> [String] {
            let shell = try #require(probe.last)
            #expect(shell.components(separatedBy: "redis-cli").count == 2)
            return Array(probe.dropLast()) + [shell.replacingOccurrences(of: "redis-cli", with: "redis-cli -p \(port)")]
        }
    }

    /// A redis-server started from the manifest's command line.
    final class Server {
        let process: ChildProcess
        init(_ command: [String]) throws { process = try ChildProcess(command) }
        func kill() { process.stop() }
        deinit { process.stop() }
    }

    static let password = "t3st" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    /// Runs the probe until it passes (the server is loading) or 15 s have passed.
    static func waitUntilReady(_ manifest: Manifest, port: Int, server: Server) async throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let result = try await ChildProcess.run(
                try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: manifest.environment),
                limit: 10)
            if result.succeeded { return }
            guard server.process.isRunning else {
                throw SetupError(description: "redis-server exited:\n\(server.process.standardOutput)\n\(server.process.standardError)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SetupError(description: "the readiness probe did not pass within 15 s")
    }

    static func cli(_ port: Int, _ arguments: [String], password: String?) async throws -> ProcessResult {
        try await ChildProcess.run(["redis-cli", "-p", String(port)] + arguments,
                                   environment: ChildProcess.environment(adding: password.map { ["REDISCLI_AUTH": $0] } ?? [:]),
                                   limit: 10)
    }

    /// Writes a key, kills the server with SIGKILL, restarts it and reads the key back.
    static func survivesHardKill(_ manifest: Manifest, replacing: [String: String] = [:]) async throws -> String {
        let scratch = try TemporaryDirectory("redis")
        let port = try ListeningSocket.freePort()
        let command = try manifest.serverCommand(directory: scratch.url.path, port: port, replacing: replacing)
        var server = try Server(command)
        try await waitUntilReady(manifest, port: port, server: server)
        let written = try await cli(port, ["SET", "survivor", "written-before-the-kill"], password: password)
        #expect(written.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "OK", "\(written.description)")
        server.kill()
        server = try Server(command)
        try await waitUntilReady(manifest, port: port, server: server)
        let read = try await cli(port, ["GET", "survivor"], password: password)
        server.kill()
        return read.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("the command line keeps data written before SIGKILL (append-only file)")
    func appendOnlyFileSurvivesHardKill() async throws {
        let manifest = try await Manifest.load(password: Self.password)
        #expect(manifest.command == ["redis-server"])
        #expect(try await Self.survivesHardKill(manifest) == "written-before-the-kill")
    }

    @Test("without the append-only file the same kill loses the data (the test can fail)")
    func withoutAppendOnlyDataIsLost() async throws {
        let manifest = try await Manifest.load(password: Self.password)
        #expect(manifest.arguments.contains("--appendonly"))
        let lost = try await Self.survivesHardKill(manifest, replacing: ["yes": "no"])
        #expect(lost.isEmpty, "got \(lost)")
    }

    @Test("the password is required, and the probe uses it")
    func passwordAndProbe() async throws {
        let manifest = try await Manifest.load(password: Self.password)
        let scratch = try TemporaryDirectory("redis-auth")
        let port = try ListeningSocket.freePort()
        let server = try Server(try manifest.serverCommand(directory: scratch.url.path, port: port))
        try await Self.waitUntilReady(manifest, port: port, server: server)

        let anonymous = try await Self.cli(port, ["GET", "anything"], password: nil)
        #expect(anonymous.standardOutput.contains("NOAUTH") || anonymous.standardError.contains("NOAUTH"), "\(anonymous.description)")
        var wrongPassword = manifest.environment
        wrongPassword["REDISCLI_AUTH"] = "not-the-password"
        let failing = try await ChildProcess.run(
            try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: wrongPassword), limit: 10)
        #expect(!failing.succeeded, "the probe passed with a wrong password")
        let passing = try await ChildProcess.run(
            try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: manifest.environment),
            limit: 10)
        #expect(passing.succeeded, "\(passing.description)")
        server.kill()
        let down = try await ChildProcess.run(
            try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: manifest.environment),
            limit: 10)
        #expect(!down.succeeded, "the probe passed with the server down")
    }
}
