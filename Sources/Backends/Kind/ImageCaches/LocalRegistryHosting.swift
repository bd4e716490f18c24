import Foundation
import ProvisionCore
import Yams

/// The local registry as KEP-1755's `local-registry-hosting` ConfigMap announces it to Tilt,
/// Skaffold and ko (k8s/components/kind-registry/local-registry-hosting.yaml): its address
/// from this machine (`localhost:5001`, also what image fields name: containerd in the node
/// maps it through `hosts.toml`, as in kind's guide) and from the cluster's network
/// (`provision-registry:5000`, the container's name on kind's network). The file is the one
/// place the address is written; the registry container is made to match it.
public struct LocalRegistryHosting: Sendable, Hashable {
    /// Where the file lives under `k8s/`.
    public static let file = "components/kind-registry/local-registry-hosting.yaml"

    /// `localhost:5001`: what image references and `docker push` use.
    public var host: String
    /// The host port the registry is published on (5001).
    public var hostPort: Int
    /// The registry container's name, which the node resolves on kind's network.
    public var containerName: String
    /// The port the registry listens on inside its container (5000).
    public var containerPort: Int

    /// Reads the ConfigMap in `manifestsRoot`; nil when the file is not there (no local registry).
    public static func load(manifestsRoot: URL) throws -> LocalRegistryHosting? {
        let url = manifestsRoot.appending(path: file)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let shown = "k8s/" + file
        let data = ((try? Yams.load(yaml: text)) as? [String: Any])?["data"] as? [String: Any]
        guard let hosting = data?["localRegistryHosting.v1"] as? String,
            let fields = (try? Yams.load(yaml: hosting)) as? [String: Any],
            let host = fields["host"] as? String, let network = fields["hostFromClusterNetwork"] as? String
        else {
            throw Problem(
                .usage,
                problem: "\(shown) has no data.localRegistryHosting.v1 with `host` and `hostFromClusterNetwork`",
                fix: "restore the file from git: it is KEP-1755's ConfigMap, which says where the local registry is")
        }
        func split(_ address: String) -> (String, Int)? {
            let parts = address.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            return (String(parts[0]), port)
        }
        guard let (hostName, hostPort) = split(host), ["localhost", "127.0.0.1"].contains(hostName),
            let (containerName, containerPort) = split(network)
        else {
            throw Problem(
                .usage,
                problem: "\(shown): `host` must be localhost:PORT and `hostFromClusterNetwork` NAME:PORT "
                    + "(found \(host) and \(network))",
                fix: "write both as in kind's local registry guide, e.g. localhost:5001 and provision-registry:5000")
        }
        return LocalRegistryHosting(
            host: host, hostPort: hostPort, containerName: containerName, containerPort: containerPort)
    }
}
