import Foundation
import RunHistory

/// A fresh directory under the system's temporary directory, removed when the last
/// reference goes away (or earlier by `remove()`).
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    /// - Parameter label: the directory name's prefix, to tell leftovers apart.
    public init(_ label: String = "provision-tests") throws {
        url = FileManager.default.temporaryDirectory.appending(
            path: "\(label)-\(UUID().uuidString)", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { remove() }

    public func remove() { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appending(path: name).path }

    /// Writes `text` to `relativePath`, creating the folders on the way.
    public func write(_ text: String, to relativePath: String) throws -> URL {
        let file = url.appending(path: relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}

extension TemporaryDirectory {
    /// Where the engine's and the history's tests put their state store.
    public var storeURL: URL { StateStore.file(in: url) }
}
