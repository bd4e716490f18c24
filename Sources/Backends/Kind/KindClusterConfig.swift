import Foundation
import ProvisionCore
import Yams

/// What `provision` needs to know from the kind cluster config
/// (`k8s/overlays/local/kind-cluster-config.yaml`), read from the file itself so the
/// file stays the single source of truth for ports and mounts.
public struct KindClusterConfig: Sendable, Hashable {
    public struct PortMapping: Sendable, Hashable {
        public var containerPort: Int
        public var hostPort: Int
        /// The host address Docker binds; kind's default is all addresses.
        public var listenAddress: String
        public var `protocol`: String
    }

    public struct Mount: Sendable, Hashable {
        /// As written in the file; relative paths are relative to where `kind` runs.
        public var hostPath: String
        public var containerPath: String
    }

    public var portMappings: [PortMapping]
    public var mounts: [Mount]
    /// The node images the config pins (`kindest/node:v1.35.8@sha256:...`).
    public var nodeImages: [String]
    /// Where containerd in the node reads per-registry `hosts.toml` files: the `config_path`
    /// a `containerdConfigPatches` entry sets, nil when none does.
    public var registryConfigPath: String?

    /// Parses the kind config at `file`.
    public init(contentsOf file: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw Problem(
                problem: "cannot read the kind cluster config \(file.path)",
                fix: "run provision from the repository (or pass its k8s/ directory) so that the file exists")
        }
        try self.init(yaml: text, source: file.path)
    }

    public init(yaml: String, source: String) throws {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: yaml)
        } catch {
            throw Problem(problem: "\(source) is not valid YAML: \(error)", fix: "repair the file")
        }
        guard let root = loaded as? [String: Any], let nodes = root["nodes"] as? [[String: Any]] else {
            throw Problem(problem: "\(source) lists no nodes", fix: "declare at least a control-plane node")
        }
        var ports: [PortMapping] = []
        var mounts: [Mount] = []
        var images: [String] = []
        for node in nodes {
            if let image = node["image"] as? String { images.append(image) }
            for mapping in node["extraPortMappings"] as? [[String: Any]] ?? [] {
                guard let hostPort = mapping["hostPort"] as? Int else { continue }
                ports.append(PortMapping(
                    containerPort: mapping["containerPort"] as? Int ?? hostPort,
                    hostPort: hostPort,
                    listenAddress: mapping["listenAddress"] as? String ?? "0.0.0.0",
                    protocol: (mapping["protocol"] as? String ?? "TCP").uppercased()))
            }
            for mount in node["extraMounts"] as? [[String: Any]] ?? [] {
                guard let hostPath = mount["hostPath"] as? String,
                    let containerPath = mount["containerPath"] as? String
                else { continue }
                mounts.append(Mount(hostPath: hostPath, containerPath: containerPath))
            }
        }
        self.portMappings = ports
        self.mounts = mounts
        self.nodeImages = images
        self.registryConfigPath = (root["containerdConfigPatches"] as? [String] ?? []).lazy
            .compactMap { $0.firstMatch(of: /config_path\s*=\s*"([^"]+)"/).map { String($0.1) } }
            .first
    }

    /// The Kubernetes minor version of the pinned node image: `kindest/node:v1.35.8@...` -> (1, 35).
    public var kubernetesVersion: (major: Int, minor: Int)? {
        guard let image = nodeImages.first, let tag = image.split(separator: ":").dropFirst().first,
            let parts = ToolRequirements.numericVersion(String(tag)), parts.count >= 2
        else { return nil }
        return (parts[0], parts[1])
    }

    /// The URL the edge answers on from this machine: the config's first TCP port mapping,
    /// which publishes the edge's HTTP port (the Gateway data plane's node port 30080, or
    /// ingress-nginx's host port 80 in the node) as `http://localhost/` for host port 80;
    /// nil when the config maps none.
    public var ingressURL: String? {
        guard let http = portMappings.first(where: { $0.protocol == "TCP" }) else { return nil }
        let host = ["0.0.0.0", "127.0.0.1", ""].contains(http.listenAddress) ? "localhost" : http.listenAddress
        return http.hostPort == 80 ? "http://\(host)/" : "http://\(host):\(http.hostPort)/"
    }

    /// Where local-path-provisioner keeps volume data inside the node. A host mount
    /// there is what lets data survive deleting and recreating the cluster.
    public static let volumeDataPath = "/var/local-path-provisioner"

    /// The mount that holds persistent volume data (the one onto ``volumeDataPath``).
    public var dataMount: Mount? {
        mounts.first { $0.containerPath.trimmingSuffix("/") == Self.volumeDataPath }
    }

    /// The mount of a host directory onto ``registryConfigPath``: where provision writes the
    /// `hosts.toml` files that point containerd at the image caches.
    public var registryHostsMount: Mount? {
        guard let path = registryConfigPath?.trimmingSuffix("/") else { return nil }
        return mounts.first { $0.containerPath.trimmingSuffix("/") == path }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) && count > suffix.count ? String(dropLast(suffix.count)) : self
    }
}
