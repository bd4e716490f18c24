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
    /// - Throws: ``BackendError`` for an unknown name, listing the valid ones.
    ///
    /// Tests that need kind's seams (proc root, port checker, retry policy, sleep) build a
    /// ``KindBackend`` directly.
    public static func make(
        name: String, runner: any CommandRunner, stateDirectory: URL
    ) throws -> any ClusterBackend {
        if name == "kind" {
            return KindBackend(runner: runner, stateDirectory: stateDirectory)
        }
        if let provider = CloudProvider.all.first(where: { $0.name == name }) {
            return UnimplementedCloudBackend(provider: provider)
        }
        throw BackendError(
            problem: "unknown backend `\(name)`",
            fix: "use one of: \(names.joined(separator: ", "))")
    }
}
