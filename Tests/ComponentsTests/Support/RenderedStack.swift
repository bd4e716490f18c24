import Foundation
import ProvisionCore

/// The repository's manifests, rendered by the real `kubectl kustomize`, as the
/// components' tests see them. A missing overlay is a failure, never a skip.
enum RenderedStack {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var k8s: URL { root.appending(path: "k8s") }

    struct RenderError: Error, CustomStringConvertible {
        let description: String
    }

    /// `kubectl kustomize k8s/<path>` (the overlay by default).
    static func render(_ path: String = "overlays/local") throws -> String {
        let directory = k8s.appending(path: path)
        guard FileManager.default.fileExists(atPath: directory.appending(path: "kustomization.yaml").path) else {
            throw RenderError(description: "k8s/\(path)/kustomization.yaml is missing")
        }
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["kubectl", "kustomize", directory.path]
        let output = FileManager.default.temporaryDirectory.appending(path: "kustomize-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RenderError(description: "kubectl kustomize k8s/\(path) exited with \(process.terminationStatus)")
        }
        return try String(contentsOf: output, encoding: .utf8)
    }

    /// Every object of the rendered overlay, parsed.
    static func objects(_ path: String = "overlays/local") throws -> [(document: ManifestDocument, object: [String: Any])] {
        try ManifestDocument.parseStream(render(path)).map { ($0, try $0.object()) }
    }
}

/// Walks a parsed object for values at keys, wherever they are nested.
enum ObjectWalk {
    static func dictionaries(in value: Any) -> [[String: Any]] {
        if let dictionary = value as? [String: Any] {
            return [dictionary] + dictionary.values.flatMap(dictionaries(in:))
        }
        if let array = value as? [Any] { return array.flatMap(dictionaries(in:)) }
        return []
    }

    /// The pod template's containers of a workload.
    static func containers(of object: [String: Any]) -> [[String: Any]] {
        let spec = object["spec"] as? [String: Any]
        let template = spec?["template"] as? [String: Any]
        let podSpec = template?["spec"] as? [String: Any]
        return podSpec?["containers"] as? [[String: Any]] ?? []
    }
}
