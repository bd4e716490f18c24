import Foundation
import Kubernetes
import ProvisionCore
import TestSupport

/// The repository's manifests, rendered by the real `kubectl kustomize`, as the
/// components' tests see them. A missing overlay is a failure, never a skip.
enum RenderedStack {
    struct RenderError: Error, CustomStringConvertible {
        let description: String
    }

    /// `kubectl kustomize k8s/<path>` (the overlay by default).
    static func render(_ path: String = "overlays/local") async throws -> String {
        let directory = Repository.k8s.appending(path: path)
        guard FileManager.default.fileExists(atPath: directory.appending(path: "kustomization.yaml").path) else {
            throw RenderError(description: "k8s/\(path)/kustomization.yaml is missing")
        }
        let result = try await ChildProcess.run(["kubectl", "kustomize", directory.path])
        guard result.succeeded else {
            throw RenderError(description: "kubectl kustomize k8s/\(path) failed:\n\(result)")
        }
        return result.standardOutput
    }

    /// Every object of the rendered overlay, parsed.
    static func objects(_ path: String = "overlays/local") async throws
        -> [(document: ManifestDocument, object: [String: Any])]
    {
        try ManifestDocument.parseStream(await render(path)).map { ($0, try $0.object()) }
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
