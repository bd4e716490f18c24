import Foundation

/// Programs the tests write and then run.
///
/// A file this process writes can be "busy" when it is run: a child that another test forks
/// meanwhile holds a copy of the write descriptor until it execs, and executing a file that is
/// open for writing fails with ETXTBSY ("Text file busy", seen once in the k8s-*.sh tests under
/// load). So a child process (`install`) writes the executable: no descriptor open for writing
/// it ever exists in this process, and none can leak into its children.
public enum ExecutableFile {
    /// Copies `source` to `destination` with mode 0755, creating its directory.
    public static func copy(_ source: URL, to destination: URL) throws {
        try FileManager.default.createDirectory(
            at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Blocking (its callers are synchronous), but brief: one `install`.
        let outcome = try ChildProcess.runBlocking(["install", "-m", "0755", source.path, destination.path], limit: 120)
        guard outcome.exitCode == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "install \(destination.path): \(outcome)"])
        }
    }

    /// Writes `text` to `destination` as an executable (mode 0755), through a staging file
    /// next to it that is never run.
    public static func write(_ text: String, to destination: URL) throws {
        let staging = destination.deletingLastPathComponent()
            .appending(path: ".\(destination.lastPathComponent).\(UUID().uuidString).staging")
        try FileManager.default.createDirectory(
            at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: staging)
        defer { try? FileManager.default.removeItem(at: staging) }
        try copy(staging, to: destination)
    }
}
