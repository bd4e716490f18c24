import Foundation

/// The `provision` executable built next to the test bundle (`swift build --build-tests`
/// builds both), or the one named by `PROVISION_BINARY`.
enum ProvisionBinary {
    static func url() throws -> URL {
        if let explicit = ProcessInfo.processInfo.environment["PROVISION_BINARY"], !explicit.isEmpty {
            return URL(filePath: explicit)
        }
        let runner = URL(filePath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // macOS runs tests from inside an .xctest bundle; step out of it.
        while directory.path.contains(".xctest") { directory = directory.deletingLastPathComponent() }
        let candidate = directory.appending(path: "provision")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw Missing(searched: candidate.path)
        }
        return candidate
    }

    struct Missing: Error, CustomStringConvertible {
        var searched: String
        var description: String {
            "the provision binary is not at \(searched); build it with `swift build --build-tests` "
                + "(or set PROVISION_BINARY to its path)"
        }
    }

    /// Runs `provision` with `arguments` from the repository root.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Shell.Outcome {
        try Shell.run(try url().path, arguments, environment: environment)
    }
}
