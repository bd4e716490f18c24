import Foundation

/// `down --purge-data`: deleting the directory a provider keeps volume data in.
enum DataDirectory {
    /// Deletes `directory` and returns the step's note; `nil` means the provider keeps none.
    static func purge(_ directory: URL?) throws -> String {
        guard let directory else { return "the backend keeps no data directory: nothing to purge" }
        let manager = FileManager.default
        guard manager.fileExists(atPath: directory.path) else { return "\(directory.path) did not exist" }
        do {
            try manager.removeItem(at: directory)
        } catch {
            throw Problem(
                problem: "cannot delete the data directory \(directory.path): \(error.localizedDescription)",
                fix: "files written by the database containers may belong to another user: "
                    + "`sudo rm -rf \(directory.path)`")
        }
        return "deleted the data directory \(directory.path)"
    }
}
