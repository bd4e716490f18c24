import Foundation

/// One image cache: a registry container and the named volume that holds its storage, shared
/// by every cluster on this machine and kept by `provision down`. A `mirror` pulls through
/// from one upstream registry (the registry's proxy mode); the `registry` holds what is pushed
/// to it (the team's own images).
struct RegistryCache: Sendable, Hashable {
    enum Role: String, Sendable { case mirror, registry }

    var role: Role
    /// What it serves: the upstream registry (`docker.io`) or its own address (`localhost:5001`).
    var serves: String
    /// The container's and the volume's name.
    var name: String
    /// A mirror's upstream (`https://registry-1.docker.io`).
    var upstream: String?
    /// `docker run --publish`: a mirror on any free loopback port (for the warm-up pulls), the
    /// registry on the port its address names.
    var publish: String
    /// Where the registry listens inside its container.
    var containerPort: Int

    /// The registry image: distribution's v3 line by its Docker Hub tag, as kind's local registry
    /// guide uses it (the patch releases keep the storage format). The pull-through cache is its
    /// proxy mode (`REGISTRY_PROXY_REMOTEURL`), one upstream per container (distribution's
    /// mirror recipe in its documentation).
    static let image = "registry:3"
    /// The storage path inside the registry image.
    static let storagePath = "/var/lib/registry"
    /// Label keys on the containers and volumes provision makes: whose they are, and what a
    /// volume's storage was written by. A volume of another format is refused, not reused.
    static let roleLabel = "io.wrightnow.provision.role"
    static let servesLabel = "io.wrightnow.provision.serves"
    static let formatLabel = "io.wrightnow.provision.cache-format"
    /// Bumped when the storage written by ``image`` cannot be read by the next image.
    static let cacheFormat = "1"

    /// The mirror of `registry`, named after it (`provision-mirror-docker-io`: container names
    /// are DNS names on kind's network, so no dots).
    static func mirror(of registry: String) -> RegistryCache {
        let upstream = registry == "docker.io" ? "https://registry-1.docker.io" : "https://\(registry)"
        let name = "provision-mirror-" + registry.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return RegistryCache(
            role: .mirror, serves: registry, name: name, upstream: upstream, publish: "127.0.0.1::5000",
            containerPort: 5000)
    }

    /// The local registry the KEP-1755 ConfigMap announces.
    static func local(_ hosting: LocalRegistryHosting) -> RegistryCache {
        RegistryCache(
            role: .registry, serves: hosting.host, name: hosting.containerName, upstream: nil,
            publish: "127.0.0.1:\(hosting.hostPort):\(hosting.containerPort)", containerPort: hosting.containerPort)
    }

    /// Whether a registry can be mirrored: an https registry on the internet, not one on this
    /// machine.
    static func isMirrorable(_ registry: String) -> Bool {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        return host != "localhost" && !host.hasPrefix("127.") && host.contains(".")
    }

    var labels: [String] {
        ["\(Self.roleLabel)=\(role.rawValue)", "\(Self.servesLabel)=\(serves)"]
    }

    func volumeCreateArguments() -> [String] {
        ["volume", "create"] + (labels + ["\(Self.formatLabel)=\(Self.cacheFormat)"]).flatMap { ["--label", $0] } + [name]
    }

    func runArguments() -> [String] {
        var arguments = ["run", "--detach", "--name", name, "--restart", "always"]
        arguments += labels.flatMap { ["--label", $0] }
        arguments += ["--publish", publish, "--volume", "\(name):\(Self.storagePath)"]
        if let upstream { arguments += ["--env", "REGISTRY_PROXY_REMOTEURL=\(upstream)"] }
        return arguments + [Self.image]
    }

    /// containerd's `hosts.toml` for what this cache serves (containerd v2.3's hosts.md and
    /// core/remotes/docker/resolver.go): the cache by its name on kind's network is tried first;
    /// when it does not answer, containerd goes on to `server`, the upstream itself, so a cache
    /// that is down never fails a pull. The local registry has no upstream: its own container
    /// is the only host.
    var hostsToml: String {
        var lines = ["# Written by provision: \(serves) through the image cache \(name)."]
        if let upstream { lines.append("server = \"\(upstream)\"") }
        lines += [
            "",
            "[host.\"http://\(name):\(containerPort)\"]",
            "  capabilities = [\"pull\", \"resolve\"]",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
