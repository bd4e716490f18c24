import Foundation
import TestSupport
import Yams

/// k8s/overlays/local/kind-cluster-config.yaml, read the way kind reads it.
struct KindConfig {
    static let path = "k8s/overlays/local/kind-cluster-config.yaml"

    let raw: [String: Any]

    static func load() throws -> KindConfig {
        KindConfig(raw: Tree.dictionary(try Yams.load(yaml: Repository.read(path))))
    }

    var nodes: [[String: Any]] { Tree.array(raw["nodes"]).map(Tree.dictionary) }
    var controlPlane: [String: Any] { nodes.first { Tree.string($0["role"]) == "control-plane" } ?? [:] }
    var nodeImage: String { Tree.string(controlPlane["image"]) ?? "" }

    /// `1.35.8` from `kindest/node:v1.35.8@sha256:...`.
    var kubernetesVersion: String? {
        guard let match = nodeImage.firstMatch(of: /^kindest\/node:v(\d+\.\d+\.\d+)@sha256:[0-9a-f]{64}$/) else {
            return nil
        }
        return String(match.1)
    }

    /// `1.35` from `1.35.8`.
    var kubernetesMinor: String? {
        kubernetesVersion.map { $0.split(separator: ".").prefix(2).joined(separator: ".") }
    }
}
