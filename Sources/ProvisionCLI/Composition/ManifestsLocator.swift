import Foundation
import ProvisionCore

/// Finds the `k8s/` directory `provision` deploys from.
enum ManifestsLocator {
    /// `explicit` when given (must contain `overlays/`), otherwise the nearest `k8s/`
    /// directory holding `overlays/`, searched from `start` upward to the file system root.
    static func locate(explicit: String?, from start: URL) throws -> URL {
        let manager = FileManager.default
        if let explicit {
            let directory = URL(filePath: explicit, relativeTo: start).standardizedFileURL
            guard isDirectory(directory.appending(path: "overlays"), manager) else {
                throw Problem(
                    .usage,
                    problem: "\(directory.path) is not a manifests directory (it has no overlays/ subdirectory)",
                    fix: "pass the repository's k8s/ directory, e.g. `--manifests path/to/repo/k8s`")
            }
            return directory
        }
        var directory = start.standardizedFileURL
        while true {
            let candidate = directory.appending(path: "k8s")
            if isDirectory(candidate.appending(path: "overlays"), manager) { return candidate }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        throw Problem(
            .usage,
            problem: "no k8s/ directory with overlays/ found in \(start.path) or any directory above it",
            fix: "run provision inside the repository, or pass `--manifests path/to/repo/k8s`")
    }

    private static func isDirectory(_ url: URL, _ manager: FileManager) -> Bool {
        var isDirectory: ObjCBool = false
        return manager.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
