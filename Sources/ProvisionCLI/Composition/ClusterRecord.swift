import Foundation
import ProvisionCore

/// What the run that created (or last reused) a cluster recorded about it, next to the
/// cluster's generated secrets: `<state>/clusters/<cluster>/cluster.json`. `down` and `status`
/// read it, so they work from any directory: the manifests a cluster was deployed from and the
/// data directory its volumes live in come from here when no `k8s/` is found.
struct ClusterRecord: Codable, Equatable {
    var backend: String
    /// The `k8s/` directory the cluster was deployed from.
    var manifests: String
    var overlay: String
    /// The host directory that keeps its volume data, when the provider keeps one.
    var dataDirectory: String?
    /// The run that wrote this record.
    var run: Int64

    static func file(cluster: String, stateDirectory: URL) -> URL {
        stateDirectory.appending(path: "clusters").appending(path: cluster).appending(path: "cluster.json")
    }

    static func load(cluster: String, stateDirectory: URL) -> ClusterRecord? {
        guard let data = try? Data(contentsOf: file(cluster: cluster, stateDirectory: stateDirectory)) else { return nil }
        return try? JSONDecoder().decode(ClusterRecord.self, from: data)
    }

    /// Writes the record; a failure is reported, never fatal (the run itself succeeded).
    func save(cluster: String, stateDirectory: URL) -> String? {
        let file = Self.file(cluster: cluster, stateDirectory: stateDirectory)
        do {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(self).write(to: file, options: .atomic)
            return nil
        } catch {
            return "could not record the cluster in \(file.path): \(error.localizedDescription)"
        }
    }

    static func remove(cluster: String, stateDirectory: URL) {
        try? FileManager.default.removeItem(at: file(cluster: cluster, stateDirectory: stateDirectory))
    }
}
