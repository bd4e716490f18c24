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
        /// The container's writable volume mounts, and whether its root filesystem is read-only.
        var writableMounts: [String]
        var readOnlyRoot: Bool
        /// The container's memory limit in bytes.
        var memoryLimit: Int

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
                dataMountPath: try #require(Tree.string(mount["mountPath"])),
                writableMounts: ReadOnlyRoot.writableMounts(of: container),
                readOnlyRoot: ReadOnlyRoot.isReadOnly(container),
                memoryLimit: try ResourceBudget.bytes(Tree.value(container.resources, at: "limits.memory")))
        }

        /// The value after `option` on the command line.
        func option(_ option: String) -> String? {
            arguments.firstIndex(of: option).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }

        /// Redis' memory units: 1k = 1000, 1kb = 1024, 1m = 1000², 1mb = 1024², and so on.
        static func bytes(_ text: String) -> Int? {
            let lower = text.lowercased()
            let units: [(String, Int)] = [("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10),
                                          ("g", 1_000_000_000), ("m", 1_000_000), ("k", 1000), ("b", 1)]
            for (suffix, factor) in units where lower.hasSuffix(suffix) {
                return Int(lower.dropLast(suffix.count)).map { $0 * factor }
            }
            return Int(lower)
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

    /// A redis-server started from the manifest's command line; with `writable`, under a
    /// read-only root where only those directories can be written (``ReadOnlyRoot``), as the
    /// image's user (uid 999, gid 1000).
    final class Server {
        let process: ChildProcess
        init(_ command: [String], writable: [String]? = nil) throws {
            process = try ChildProcess(writable.map { ReadOnlyRoot.command(command, writable: $0, uid: 999, gid: 1000) } ?? command)
        }
        func kill() { process.stop() }
        deinit { process.stop() }
    }

    static let password = "t3st" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    /// Runs the probe until it passes (the server is loading), or fails as soon as the server
    /// has exited. The deadline only keeps a wedged server from hanging the suite: a start takes
    /// milliseconds alone, but 15 s ran out on a 2-core machine running a second build beside
    /// the full suite (issue 15), so it is generous.
    static func waitUntilReady(_ manifest: Manifest, port: Int, server: Server) async throws {
        let limit: TimeInterval = 180
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            let result = try await ChildProcess.run(
                try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: manifest.environment),
                limit: 60)
            if result.succeeded { return }
            guard server.process.isRunning else {
                throw SetupError(description: "redis-server exited:\n\(server.process.standardOutput)\n\(server.process.standardError)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SetupError(description: "the readiness probe did not pass within \(Int(limit)) s")
    }

    static func cli(_ port: Int, _ arguments: [String], password: String?, limit: TimeInterval = 60) async throws
        -> ProcessResult
    {
        try await ChildProcess.run(["redis-cli", "-p", String(port)] + arguments,
                                   environment: ChildProcess.environment(adding: password.map { ["REDISCLI_AUTH": $0] } ?? [:]),
                                   limit: limit)
    }

    /// Writes a key, kills the server with SIGKILL, restarts it and reads the key back.
    /// With `readOnlyRoot`, the server runs with only the manifest's writable mounts writable
    /// (`mounts` overrides them): the data directory is writable only when a mount covers it.
    static func survivesHardKill(_ manifest: Manifest, replacing: [String: String] = [:], readOnlyRoot: Bool = false,
                                 mounts: [String]? = nil) async throws -> String {
        let scratch = try TemporaryDirectory("redis")
        let port = try ListeningSocket.freePort()
        let command = try manifest.serverCommand(directory: scratch.url.path, port: port, replacing: replacing)
        let writable: [String]? = readOnlyRoot
            ? (ReadOnlyRoot.isCovered(manifest.dataMountPath, by: mounts ?? manifest.writableMounts) ? [scratch.url.path] : [])
            : nil
        // Each server is stopped on every way out, a thrown error included (`kill` is idempotent).
        let first = try Server(command, writable: writable)
        defer { first.kill() }
        try await waitUntilReady(manifest, port: port, server: first)
        let written = try await cli(port, ["SET", "survivor", "written-before-the-kill"], password: password)
        #expect(written.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "OK", "\(written.description)")
        first.kill()
        // The restart listens on a port of its own: in the moment between the kill and the
        // restart another program on the machine may take the first one (seen under load).
        let restartPort = try ListeningSocket.freePort()
        let restart = try manifest.serverCommand(directory: scratch.url.path, port: restartPort, replacing: replacing)
        let second = try Server(restart, writable: writable)
        defer { second.kill() }
        try await waitUntilReady(manifest, port: restartPort, server: second)
        let read = try await cli(restartPort, ["GET", "survivor"], password: password)
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
        defer { server.kill() }
        try await Self.waitUntilReady(manifest, port: port, server: server)

        let anonymous = try await Self.cli(port, ["GET", "anything"], password: nil)
        #expect(anonymous.standardOutput.contains("NOAUTH") || anonymous.standardError.contains("NOAUTH"), "\(anonymous.description)")
        var wrongPassword = manifest.environment
        wrongPassword["REDISCLI_AUTH"] = "not-the-password"
        let failing = try await ChildProcess.run(
            try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: wrongPassword), limit: 60)
        #expect(!failing.succeeded, "the probe passed with a wrong password")
        let passing = try await ChildProcess.run(
            try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: manifest.environment),
            limit: 60)
        #expect(passing.succeeded, "\(passing.description)")
        server.kill()
        let down = try await ChildProcess.run(
            try manifest.probeCommand(port: port), environment: ChildProcess.environment(adding: manifest.environment),
            limit: 60)
        #expect(!down.succeeded, "the probe passed with the server down")
    }

    // MARK: Read-only root filesystem

    @Test("under a read-only root with only the manifest's volumes writable, data still survives SIGKILL")
    func readOnlyRoot() async throws {
        let manifest = try await Manifest.load(password: Self.password)
        #expect(manifest.readOnlyRoot, "the redis container must set readOnlyRootFilesystem: true")
        #expect(try await Self.survivesHardKill(manifest, readOnlyRoot: true) == "written-before-the-kill")
    }

    @Test("under a read-only root without a writable data volume Redis cannot start (the check can fail)")
    func readOnlyRootWithoutVolumeFails() async throws {
        let manifest = try await Manifest.load(password: Self.password)
        await #expect(throws: SetupError.self) {
            _ = try await Self.survivesHardKill(manifest, readOnlyRoot: true, mounts: [])
        }
    }

    // MARK: Memory

    /// Fills the server past its maxmemory from inside one script (Redis checks the limit only
    /// before a script's first write), then tries one more write from a client.
    struct FillOutcome {
        var maxmemory: String
        var policy: String
        var writeAfterFull: String
        var keysKept: Int
        var keysWritten: Int
    }

    static func fill(_ manifest: Manifest, replacing: [String: String]) async throws -> FillOutcome {
        let scratch = try TemporaryDirectory("redis-memory")
        let port = try ListeningSocket.freePort()
        let server = try Server(try manifest.serverCommand(directory: scratch.url.path, port: port, replacing: replacing))
        defer { server.kill() }
        try await waitUntilReady(manifest, port: port, server: server)
        // Generous limits: the fill writes some 170 MB, which takes long on a loaded machine.
        func ask(_ arguments: [String]) async throws -> String {
            let result = try await cli(port, arguments, password: password, limit: 120)
            #expect(!result.timedOut, "redis-cli \(arguments.prefix(1)) timed out")
            return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let maxmemory = try await ask(["CONFIG", "GET", "maxmemory"]).split(separator: "\n").last.map(String.init) ?? ""
        let policy = try await ask(["CONFIG", "GET", "maxmemory-policy"]).split(separator: "\n").last.map(String.init) ?? ""
        let size = 1_000_000
        let count = (Int(maxmemory) ?? 0) / size + 20
        let script = "for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'fill:' .. i, string.rep('x', tonumber(ARGV[2]))) end return 'filled'"
        let filled = try await ask(["EVAL", script, "0", String(count), String(size)])
        #expect(filled == "filled", "the fill script: \(filled)")
        let after = try await ask(["SET", "after-full", "x"])
        let kept = Int(try await ask(["DBSIZE"])) ?? -1
        return FillOutcome(maxmemory: maxmemory, policy: policy, writeAfterFull: after, keysKept: kept, keysWritten: count)
    }

    @Test("maxmemory stays below the memory limit, and a full Redis refuses writes instead of evicting or dying")
    func fullRedisRefusesWrites() async throws {
        let manifest = try await Manifest.load(password: Self.password)
        let configured = try #require(manifest.option("--maxmemory"), "the command line must set --maxmemory")
        let bytes = try #require(Manifest.bytes(configured), "unreadable --maxmemory \(configured)")
        #expect(bytes > 0 && bytes <= manifest.memoryLimit * 3 / 4,
                "maxmemory \(bytes) must leave a quarter of the \(manifest.memoryLimit)-byte limit for buffers and forks")
        #expect(manifest.option("--maxmemory-policy") == "noeviction")

        // Without the append-only file, to keep the test quick; memory behaves the same.
        let outcome = try await Self.fill(manifest, replacing: ["yes": "no"])
        #expect(outcome.maxmemory == String(bytes))
        #expect(outcome.policy == "noeviction")
        #expect(outcome.writeAfterFull.contains("OOM"), "a write to a full Redis answered \(outcome.writeAfterFull)")
        #expect(outcome.keysKept == outcome.keysWritten, "keys were evicted: \(outcome.keysKept) of \(outcome.keysWritten)")
    }

    @Test("with an evicting policy the same fill drops keys silently (the test can fail)")
    func evictingPolicyDropsKeys() async throws {
        let manifest = try await Manifest.load(password: Self.password)
        let outcome = try await Self.fill(manifest, replacing: ["yes": "no", "noeviction": "allkeys-lru"])
        #expect(outcome.policy == "allkeys-lru")
        #expect(outcome.writeAfterFull == "OK")
        #expect(outcome.keysKept < outcome.keysWritten)
    }

    @Test("Redis memory units are read as Redis reads them")
    func memoryUnits() {
        #expect(Manifest.bytes("160mb") == 160 * 1_048_576)
        #expect(Manifest.bytes("1m") == 1_000_000)
        #expect(Manifest.bytes("2GB") == 2 * 1_073_741_824)
        #expect(Manifest.bytes("4096") == 4096)
    }
}
