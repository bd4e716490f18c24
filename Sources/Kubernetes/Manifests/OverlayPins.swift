import Foundation
import ProvisionCore
import Yams

/// Finds the pin files an overlay selects. An overlay chooses what it installs from upstream
/// the way it chooses its objects: by listing kustomize Components (`components:` in its
/// kustomization.yaml), each of which may carry `pins/<name>` beside its objects; the overlay's
/// own `pins/<name>` wins (overlays/cluster pins the LoadBalancer flavour of the edge).
struct OverlayPins {
    var cluster: ClusterSpec

    /// The pin file called `name`, and how messages show it (`k8s/components/…/pins/…`).
    func file(named name: String) throws -> (url: URL, shown: String)? {
        let root = cluster.manifestsRoot.standardizedFileURL
        for directory in [cluster.overlayDirectory] + (try components()) {
            let candidate = directory.appending(path: "pins").appending(path: name).standardizedFileURL
            if FileManager.default.fileExists(atPath: candidate.path) {
                let relative = candidate.path.hasPrefix(root.path + "/")
                    ? String(candidate.path.dropFirst(root.path.count + 1)) : candidate.path
                return (candidate, "k8s/" + relative)
            }
        }
        return nil
    }

    /// The kustomize Components the overlay's kustomization lists, as directories.
    func components() throws -> [URL] {
        let file = cluster.overlayDirectory.appending(path: "kustomization.yaml")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        guard let fields = (try? Yams.load(yaml: text)) as? [String: Any] else {
            throw Problem(
                problem: "\(file.path) is not valid YAML",
                fix: "check it with `kubectl kustomize \(cluster.overlayDirectory.path)`")
        }
        let listed = fields["components"] as? [String] ?? []
        return listed.map { cluster.overlayDirectory.appending(path: $0).standardizedFileURL }
    }
}
