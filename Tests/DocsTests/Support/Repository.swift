import Foundation

/// Paths in the repository checkout the tests run from.
enum Repository {
    /// The checkout root, found from this file's location (Tests/DocsTests/Support/).
    static let root: URL = URL(filePath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relativePath: String) -> URL { root.appending(path: relativePath) }

    static func read(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    static func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: url(relativePath).path)
    }

    static let changeID = "2025-11-11-add-kubernetes-staging-cluster"
    static let changeDirectory = url("openspec/changes/\(changeID)")
}
