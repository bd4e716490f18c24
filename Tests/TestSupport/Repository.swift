import Foundation

/// Paths inside this repository, found from this file's location so the tests work from
/// any working directory (swift test, Xcode, CI's fresh clone).
public enum Repository {
    public static let root: URL = URL(filePath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    public static let k8s = root.appending(path: "k8s")

    public static func file(_ relativePath: String) -> URL { root.appending(path: relativePath) }

    public static func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: file(relativePath).path)
    }

    public static func read(_ relativePath: String) throws -> String {
        try String(contentsOf: file(relativePath), encoding: .utf8)
    }

    /// The section of a Markdown file under `## heading`, up to the next `## ` heading; nil
    /// when the file has no such heading.
    public static func section(_ heading: String, of relativePath: String) throws -> String? {
        let text = try read(relativePath)
        guard let start = text.range(of: "\n## \(heading)\n") else { return nil }
        let rest = text[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }

    /// Every file under `k8s/` whose name is exactly `name`, sorted.
    public static func k8sFiles(named name: String) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: k8s, includingPropertiesForKeys: nil)
        var found: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.lastPathComponent == name { found.append(url) }
        }
        return found.sorted { $0.path < $1.path }
    }
}
