import Foundation
import ProvisionCore

/// The backends `--backend` can name, and how to build one.
public enum BackendRegistry {
    /// Valid `--backend` values; `kind` is the default and the only implemented one.
    public static let names: [String] = ["kind"] + CloudProvider.all.map(\.name)
    public static let defaultName = "kind"

    /// Builds the backend called `name`.
    /// - Parameters:
    ///   - runner: runs every subprocess of the backend.
    ///   - stateDirectory: `provision`'s state directory (generated secrets live below it).
    ///   - procRoot, portChecker, retryPolicy, sleep: kind's test seams; defaults are the real ones.
    /// - Throws: ``BackendError`` for an unknown name, listing the valid ones.
    public static func make(
        name: String,
        runner: any CommandRunner,
        stateDirectory: URL,
        procRoot: URL = URL(filePath: "/proc"),
        portChecker: any PortChecker = SocketPortChecker(),
        retryPolicy: WebhookRetryPolicy = .default,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) throws -> any ClusterBackend {
        if name == "kind" {
            return KindBackend(
                runner: runner, stateDirectory: stateDirectory, procRoot: procRoot,
                portChecker: portChecker, retryPolicy: retryPolicy, sleep: sleep)
        }
        if let provider = CloudProvider.all.first(where: { $0.name == name }) {
            return UnimplementedCloudBackend(provider: provider)
        }
        throw BackendError(
            problem: "unknown backend `\(name)`",
            fix: "use one of: \(names.joined(separator: ", "))")
    }
}
