import Foundation
import ProcessRunning
import ProvisionCore

/// Fetches what components apply, once per run: rendered kustomizations (`kubectl kustomize`)
/// and pinned remote manifests (`curl`). Concurrent steps share one render.
///
/// Pinned manifests are also kept in `cacheDirectory` under their SHA-256, checked against
/// the pin before use, so later runs (and `provision status`) need no download.
public actor ManifestSource {
    private let runner: any CommandRunner
    private let kubectlExecutable: String
    private let cacheDirectory: URL?
    private var overlays: [URL: Task<RenderedManifests, any Error>] = [:]
    private var remotes: [URL: Task<String, any Error>] = [:]

    public init(runner: any CommandRunner, kubectlExecutable: String = "kubectl", cacheDirectory: URL? = nil) {
        self.runner = runner
        self.kubectlExecutable = kubectlExecutable
        self.cacheDirectory = cacheDirectory
    }

    /// The pinned manifest's exact bytes: from the cache when a copy there still matches the
    /// pin, else downloaded, verified against the pin, and cached.
    /// - Parameter pinFile: how errors name the pin file (`k8s/base/…`).
    public func pinned(_ pin: ManifestPin, pinFile: String) async throws -> String {
        let cached = cacheDirectory?.appending(path: "\(pin.sha256).yaml")
        if let cached, let text = try? String(contentsOf: cached, encoding: .utf8),
            SHA256.hexDigest(of: text) == pin.sha256
        {
            return text
        }
        let body = try await remote(pin.url)
        try pin.verify(body, pinFile: pinFile)
        if let cached, let directory = cacheDirectory {
            // A cache that cannot be written only costs a download next time.
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? body.write(to: cached, atomically: true, encoding: .utf8)
        }
        return body
    }

    /// The kustomization in `directory` rendered and split by component (rendered on first request only).
    public func rendered(_ directory: URL) async throws -> RenderedManifests {
        if let task = overlays[directory] { return try await task.value }
        let runner = runner, executable = kubectlExecutable
        let task = Task {
            let yaml = try await Kubectl.kustomize(directory, runner: runner, executable: executable)
            return try RenderedManifests(yaml: yaml)
        }
        overlays[directory] = task
        return try await task.value
    }

    /// The body of a remote manifest, fetched with `curl -fsSL` (once per run), so the
    /// digest recorded is the digest of exactly the bytes applied.
    public func remote(_ url: URL) async throws -> String {
        if let task = remotes[url] { return try await task.value }
        let runner = runner
        let task = Task {
            try await runner.run(Command(
                "curl", ["-fsSL", "--retry", "3", "--max-time", "120", url.absoluteString],
                timeout: .seconds(180))
            ).standardOutput
        }
        remotes[url] = task
        return try await task.value
    }
}
