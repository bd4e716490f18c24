import Components
import Foundation
import ProvisionCore
import TestSupport
import Testing

/// RedisComponent's smoke command, run by a real `sh` against a real password-protected
/// redis-server (Debian's, installed by scripts/test-env.sh), as it runs inside the pod.
@Suite("redis smoke command against a real redis-server", .serialized)
struct RedisSmokeCommandTests {
    static var smokeCommand: [String] {
        guard case .exec(_, _, _, let command, _)? = RedisComponent().smokeChecks.first else { return [] }
        return command
    }

    /// Starts redis-server with `password` on a free port; a `redis-cli` shim on PATH adds the
    /// port, so the smoke command runs unchanged.
    struct Server {
        let directory: URL
        let process: ChildProcess
        let port: Int

        init(password: String) throws {
            directory = FileManager.default.temporaryDirectory.appending(path: "redis-smoke-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            port = try ListeningSocket.freePort()
            process = try ChildProcess(["redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no", "--dir", directory.path, "--requirepass", password])
            let shim = directory.appending(path: "bin/redis-cli")
            let realCLI = try Self.which("redis-cli")
            try ExecutableFile.write("#!/bin/sh\nexec \(realCLI) -p \(port) \"$@\"\n", to: shim)
        }

        static func which(_ program: String) throws -> String {
            for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                let candidate = "\(directory)/\(program)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: program])
        }

        /// Runs the smoke command with `environment` (as the container would have it), bounded
        /// by `timeout(1)`; returns what it printed on both streams.
        func runSmoke(environment: [String: String]) async throws -> String {
            var env = ["PATH": directory.appending(path: "bin").path + ":/usr/bin:/bin"]
            env.merge(environment) { $1 }
            let result = try await ChildProcess.run(
                ["timeout", "10"] + RedisSmokeCommandTests.smokeCommand, environment: env, limit: 30)
            return result.standardOutput + result.standardError
        }

        /// Waits until the server answers (it needs a moment to bind; longer on a loaded machine).
        func waitUntilUp(password: String) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if try await runSmoke(environment: ["REDISCLI_AUTH": password]).contains("PONG") { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "redis-server did not start on \(port)"])
        }

        func stop() {
            // SIGKILL: the data is throwaway.
            process.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func answersPongWithThePasswordFromEitherVariable() async throws {
        let password = "s3cretS3cretS3cretS3cretS3cret12"
        let server = try Server(password: password)
        defer { server.stop() }
        try await server.waitUntilUp(password: password)
        let expecting = "PONG"
        // The rendered redis container sets both; the check must also work with only one.
        #expect(try await server.runSmoke(environment: ["REDIS_PASSWORD": password]).contains(expecting))
        #expect(try await server.runSmoke(environment: ["REDISCLI_AUTH": password, "REDIS_PASSWORD": password]).contains(expecting))
    }

    @Test func doesNotAnswerPongWithAWrongOrMissingPassword() async throws {
        let password = "anotherPasswordAnotherPassword12"
        let server = try Server(password: password)
        defer { server.stop() }
        try await server.waitUntilUp(password: password)
        #expect(!(try await server.runSmoke(environment: ["REDIS_PASSWORD": "wrong"]).contains("PONG")))
        #expect(!(try await server.runSmoke(environment: [:]).contains("PONG")))
    }
}
