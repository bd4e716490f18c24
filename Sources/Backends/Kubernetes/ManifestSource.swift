import Foundation
import ProvisionCore

/// Fetches what components apply, once per run: rendered kustomizations (`kubectl kustomize`)
/// and pinned remote manifests (`curl`). Concurrent steps share one render.
public actor ManifestSource {
    private let runner: any CommandRunner
    private let kubectlExecutable: String
    private var overlays: [URL: Task<RenderedManifests, any Error>] = [:]
    private var remotes: [URL: Task<String, any Error>] = [:]

    public init(runner: any CommandRunner, kubectlExecutable: String = "kubectl") {
        self.runner = runner
        self.kubectlExecutable = kubectlExecutable
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
