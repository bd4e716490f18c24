import Foundation

/// Finds the `provision` executable that `swift build` put next to the test bundle.
///
/// `swift test` (any `--scratch-path`) runs the test bundle from the build products
/// directory, where the `provision` executable lives too. `PROVISION_BINARY` overrides.
enum ProvisionBinary {
    static let url: URL? = locate()

    static func locate() -> URL? {
        let manager = FileManager.default
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["PROVISION_BINARY"], !explicit.isEmpty {
            candidates.append(URL(filePath: explicit))
        }
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        if let first = CommandLine.arguments.first { starts.append(URL(filePath: first).standardizedFileURL) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            starts.append(bundle.bundleURL.appending(path: "placeholder"))
        }
        // Linux: <products>/provisionPackageTests.xctest is the executable itself.
        // macOS: <products>/provisionPackageTests.xctest/Contents/MacOS/provisionPackageTests.
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(directory.appending(path: "provision"))
                directory = directory.deletingLastPathComponent()
            }
        }
        // Last resort: the default scratch path of the package this file belongs to.
        let packageRoot = URL(filePath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appending(path: ".build/debug/provision"))
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && manager.isExecutableFile(atPath: url.path)
        }
    }

    /// The repository this test file belongs to (for `k8s/` and the fake tools).
    static let repositoryRoot = URL(filePath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
