import Components
import Foundation
import ProvisionCore
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
        let process: Process
        let port: Int

        init(password: String) throws {
            directory = FileManager.default.temporaryDirectory.appending(path: "redis-smoke-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            port = Int.random(in: 20_000...40_000)
            process = Process()
            process.executableURL = URL(filePath: "/usr/bin/env")
            process.arguments = ["redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", directory.path, "--requirepass", password]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let shim = directory.appending(path: "bin/redis-cli")
            try FileManager.default.createDirectory(at: shim.deletingLastPathComponent(), withIntermediateDirectories: true)
            let realCLI = try Self.which("redis-cli")
            try "#!/bin/sh\nexec \(realCLI) -p \(port) \"$@\"\n".write(to: shim, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shim.path)
        }

        static func which(_ program: String) throws -> String {
            for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                let candidate = "\(directory)/\(program)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: program])
        }

        /// Runs the smoke command with `environment` (as the container would have it), bounded
        /// by `timeout(1)`. Output goes through a file: no pipe whose end a child could hold open.
        func runSmoke(environment: [String: String]) throws -> String {
            let run = Process()
            run.executableURL = URL(filePath: "/usr/bin/env")
            run.arguments = ["timeout", "10"] + RedisSmokeCommandTests.smokeCommand
            var env = ["PATH": directory.appending(path: "bin").path + ":/usr/bin:/bin"]
            env.merge(environment) { $1 }
            run.environment = env
            let output = directory.appending(path: "smoke-\(UUID().uuidString).out")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            run.standardOutput = handle
            run.standardError = handle
            run.standardInput = FileHandle.nullDevice
            try run.run()
            run.waitUntilExit()
            try handle.close()
            return try String(contentsOf: output, encoding: .utf8)
        }

        /// Waits until the server answers (it needs a moment to bind).
        func waitUntilUp(password: String) throws {
            for _ in 0..<100 {
                if try runSmoke(environment: ["REDISCLI_AUTH": password]).contains("PONG") { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "redis-server did not start on \(port)"])
        }

        func stop() {
            // SIGKILL: a child started from the test runner's thread may inherit a signal mask
            // that blocks SIGTERM, and the data is throwaway anyway.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func answersPongWithThePasswordFromEitherVariable() throws {
        let password = "s3cretS3cretS3cretS3cretS3cret12"
        let server = try Server(password: password)
        defer { server.stop() }
        try server.waitUntilUp(password: password)
        let expecting = "PONG"
        // The rendered redis container sets both; the check must also work with only one.
        #expect(try server.runSmoke(environment: ["REDIS_PASSWORD": password]).contains(expecting))
        #expect(try server.runSmoke(environment: ["REDISCLI_AUTH": password, "REDIS_PASSWORD": password]).contains(expecting))
    }

    @Test func doesNotAnswerPongWithAWrongOrMissingPassword() throws {
        let password = "anotherPasswordAnotherPassword12"
        let server = try Server(password: password)
        defer { server.stop() }
        try server.waitUntilUp(password: password)
        #expect(!(try server.runSmoke(environment: ["REDIS_PASSWORD": "wrong"]).contains("PONG")))
        #expect(!(try server.runSmoke(environment: [:]).contains("PONG")))
    }
}
