import Foundation

/// A real OCI registry on 127.0.0.1: Debian's `docker-registry` (the distribution project's
/// registry, which `registry:3` also runs), with its storage in a temporary directory. Stopped
/// when the last reference goes away. scripts/test-env.sh installs it; a missing binary fails
/// the test that needs it.
public final class RealRegistry: @unchecked Sendable {
    public let port: Int
    public let storage: TemporaryDirectory
    private let process: ChildProcess

    /// Starts the registry on `port` and waits until `/v2/` answers.
    /// - Parameter proxying: the port of another registry on 127.0.0.1 to serve as a
    ///   pull-through cache of (as the image caches' `registry:3` containers run), which then
    ///   refuses pushes; nil for a plain registry.
    public init(port: Int, proxying upstream: Int? = nil) async throws {
        self.port = port
        storage = try TemporaryDirectory("provision-registry")
        let config = try storage.write(
            """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(storage.path("data"))
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
            """ + (upstream.map { "\nproxy:\n  remoteurl: http://127.0.0.1:\($0)\n" } ?? "\n"), to: "config.yml")
        process = try ChildProcess(["docker-registry", "serve", config.path])
        for _ in 0..<100 {
            let answer = try await ChildProcess.run(
                ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/v2/"], limit: 10)
            if answer.standardOutput == "200" { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.stop()
        throw SpawnError(
            description: "docker-registry did not answer on 127.0.0.1:\(port): \(process.standardError)")
    }

    deinit { process.stop() }

    /// GETs `path` under `/v2/` with the real curl; the body's bytes.
    public func get(_ path: String, accept: String? = nil) async throws -> Data {
        let file = storage.url.appending(path: "get-\(UUID().uuidString.prefix(8))")
        let header = accept.map { ["-H", "Accept: \($0)"] } ?? []
        let result = try await ChildProcess.run(
            ["curl", "-fsS", "-o", file.path] + header + ["http://127.0.0.1:\(port)/v2/\(path)"], limit: 30)
        guard result.succeeded else { throw SpawnError(description: "GET /v2/\(path): \(result)") }
        return try Data(contentsOf: file)
    }
}
