import Foundation
import TestSupport
import Yams

/// An overlay's kind-cluster-config.yaml (k8s/overlays/local's by default), read the way kind reads it.
struct KindConfig {
    static let path = "k8s/overlays/local/kind-cluster-config.yaml"
    /// The config of the overlay behind the retired ingress-nginx.
    static let ingressNginxPath = "k8s/overlays/local-ingress-nginx/kind-cluster-config.yaml"

    let raw: [String: Any]

    static func load(_ path: String = KindConfig.path) throws -> KindConfig {
        try parse(Repository.read(path))
    }

    static func parse(_ text: String) throws -> KindConfig {
        KindConfig(raw: Tree.dictionary(try Yams.load(yaml: text)))
    }

    /// `(containerPort, hostPort)` of each port mapping of the control plane.
    var portMappings: [(container: Int?, host: Int?)] {
        Tree.array(controlPlane["extraPortMappings"]).map(Tree.dictionary).map { (Tree.int($0["containerPort"]), Tree.int($0["hostPort"])) }
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
