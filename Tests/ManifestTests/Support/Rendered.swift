import Foundation
import TestSupport
import Yams
import Testing

/// The kustomizations under `k8s/` that must render on a clean checkout.
enum Kustomization: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case base = "k8s/base"
    case localOverlay = "k8s/overlays/local"
    /// The generic overlay for clusters provision did not create (`--backend existing`).
    case clusterOverlay = "k8s/overlays/cluster"
    /// The local stack behind the seed's retired ingress-nginx instead of Gateway API.
    case localIngressNginxOverlay = "k8s/overlays/local-ingress-nginx"
    /// The optional Component, rendered through a temporary overlay that adds it to k8s/base
    /// (a Component cannot be rendered on its own).
    case authentikRedisComponent = "k8s/components/authentik-redis"

    var testDescription: String { rawValue }

    /// The Components under `k8s/components/`; each must be rendered by a case above.
    static var componentDirectories: [String] {
        let directory = Repository.k8s.appending(path: "components")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map { "k8s/components/\($0)" }
    }

    /// The Components this kustomization renders: its own directory when it is one, and the
    /// ones its kustomization.yaml lists (`components:`), as repository paths.
    var renderedComponents: [String] {
        let directory = Repository.file(rawValue)
        let text = (try? String(contentsOf: directory.appending(path: "kustomization.yaml"), encoding: .utf8)) ?? ""
        let listed = Tree.array(Tree.dictionary((try? Yams.load(yaml: text)) ?? nil)["components"]).compactMap(Tree.string)
        let root = Repository.root.standardizedFileURL.path + "/"
        return [rawValue] + listed.map { String(directory.appending(path: $0).standardizedFileURL.path.dropFirst(root.count)) }
    }
}

/// What `kubectl kustomize` printed for one kustomization.
struct Rendering: Sendable {
    var kustomization: Kustomization
    var yaml: String
    var warnings: String
    var objects: [KubeObject]

    func objects(ofKind kind: String) -> [KubeObject] { objects.filter { $0.kind == kind } }

    func object(_ kind: String, _ name: String) -> KubeObject? {
        objects.first { $0.kind == kind && $0.name == name }
    }
}

struct RenderError: Error, CustomStringConvertible {
    var description: String
}

/// Renders each kustomization once per test process, however many tests ask for it.
actor RenderCache {
    static let shared = RenderCache()

    private var renderings: [Kustomization: Task<Rendering, Error>] = [:]

    func rendering(of kustomization: Kustomization) async throws -> Rendering {
        if let pending = renderings[kustomization] { return try await pending.value }
        let task = Task.detached { try await Self.render(kustomization) }
        renderings[kustomization] = task
        return try await task.value
    }

    private static func render(_ kustomization: Kustomization) async throws -> Rendering {
        let result: ProcessResult
        switch kustomization {
        case .base, .localOverlay, .clusterOverlay, .localIngressNginxOverlay:
            result = try await ChildProcess.run(["kubectl", "kustomize", Repository.file(kustomization.rawValue).path])
        case .authentikRedisComponent:
            let overlay = try TemporaryDirectory("component-overlay")
            try writeOverlay(at: overlay.url, resources: ["k8s/base"], components: [kustomization.rawValue])
            result = try await ChildProcess.run(["kubectl", "kustomize", overlay.url.path])
        }
        guard result.succeeded else {
            throw RenderError(description: "kubectl kustomize \(kustomization.rawValue) failed:\n\(result.description)")
        }
        return Rendering(kustomization: kustomization, yaml: result.standardOutput, warnings: result.standardError,
                         objects: try KubeObject.parseAll(result.standardOutput))
    }

    /// Kustomize only accepts relative paths to other kustomizations, so the temporary
    /// overlay climbs from its own directory to the filesystem root and back down.
    static func writeOverlay(at directory: URL, resources: [String], components: [String]) throws {
        let depth = directory.standardizedFileURL.pathComponents.count - 1
        let up = String(repeating: "../", count: depth)
        func relative(_ repositoryPath: String) -> String {
            up + Repository.file(repositoryPath).standardizedFileURL.path.dropFirst()
        }
        let text = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
            \(resources.map { "  - \(relative($0))" }.joined(separator: "\n"))
            components:
            \(components.map { "  - \(relative($0))" }.joined(separator: "\n"))

            """
        try text.write(to: directory.appending(path: "kustomization.yaml"), atomically: true, encoding: .utf8)
    }
}
