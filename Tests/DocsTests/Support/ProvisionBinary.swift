import Foundation
import TestSupport

/// The `provision` executable built next to the test bundle (`swift build --build-tests`
/// builds both), or the one named by `PROVISION_BINARY` (TestSupport's `BuildProducts`).
enum ProvisionBinary {
    static func url() throws -> URL {
        guard let url = BuildProducts.provision else { throw Missing() }
        return url
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "the provision binary was not found next to the test bundle; build it with "
                + "`swift build --build-tests` (or set PROVISION_BINARY to its path)"
        }
    }

    /// Runs `provision` with `arguments` from the repository root.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Shell.Outcome {
        try await Shell.run(try url().path, arguments, environment: environment)
    }
}
