import Foundation

/// Executables `swift build` put next to the test bundle (`provision`, `store-crash-helper`).
///
/// `swift test` (any `--scratch-path`) runs the test bundle from the build products
/// directory, where the package's executables live too.
public enum BuildProducts {
    /// The `provision` CLI; `PROVISION_BINARY` overrides.
    public static let provision: URL? = executable(named: "provision", override: "PROVISION_BINARY")

    /// The store tests' helper that plays a `provision up` killed mid-run;
    /// `PROVISION_CRASH_HELPER` overrides.
    public static let storeCrashHelper: URL? = executable(named: "store-crash-helper", override: "PROVISION_CRASH_HELPER")

    /// Finds `name` in the build products directory (or the file `override` names).
    public static func executable(named name: String, override: String) -> URL? {
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment[override], !explicit.isEmpty {
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
                candidates.append(directory.appending(path: name))
                directory = directory.deletingLastPathComponent()
            }
        }
        // Last resort: the default scratch path.
        candidates.append(Repository.root.appending(path: ".build/debug/\(name)"))
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: url.path)
        }
    }
}
