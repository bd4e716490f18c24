import Foundation

/// The fake docker's containers, volumes and image pulls (Tests/Fixtures/fake-tools/fake-registry.sh
/// describes the files): what tests and the benchmark check about issue 18's image caches.
extension FakeWorld {
    /// A container the fake docker ran (or a test added), as its record says.
    public struct FakeContainer: Equatable, Sendable {
        public var name: String
        public var id: String
        public var image: String
        /// running, exited or created (a start that failed).
        public var status: String
        public var restart: String
        public var labels: [String: String]
        /// The --publish arguments, as given: "127.0.0.1::5000".
        public var publish: [String]
        /// While it runs, its bound ports: "5000/tcp" to "127.0.0.1:32768".
        public var ports: [String: String]
        /// The --volume arguments: "provision-mirror-docker-io:/var/lib/registry".
        public var volumes: [String]
        public var environment: [String: String]
        public var networks: [String]

        public var isRunning: Bool { status == "running" }

        /// The host port its container port 5000 is published on while it runs.
        public var registryHostPort: Int? {
            ports["5000/tcp"].flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
        }
    }

    private var containersDirectory: URL { fakeState.appending(path: "containers") }
    private var volumesDirectory: URL { fakeState.appending(path: "volumes") }

    /// Every image pull that left the machine, in order: "docker.io/library/postgres:15 by node
    /// wrightnow", "... by mirror provision-mirror-docker-io", "... by host docker".
    public var upstreamPulls: [String] { lines(of: fakeState.appending(path: "upstream-pulls.log")) }

    /// The containers of the fake docker (kind's nodes aside), by name.
    public var containers: [FakeContainer] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: containersDirectory.path)) ?? []
        return names.sorted().compactMap { container(named: $0) }
    }

    public func container(named name: String) -> FakeContainer? {
        let file = containersDirectory.appending(path: name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { return nil }
        var container = FakeContainer(
            name: name, id: "", image: "", status: "", restart: "", labels: [:], publish: [], ports: [:],
            volumes: [], environment: [:], networks: [])
        for line in lines(of: file) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            let pair = Self.keyValue(value)
            switch key {
            case "id": container.id = value
            case "image": container.image = value
            case "status": container.status = value
            case "restart": container.restart = value
            case "label": container.labels[pair.key] = pair.value
            case "publish": container.publish.append(value)
            case "port": container.ports[pair.key] = pair.value
            case "volume": container.volumes.append(value)
            case "env": container.environment[pair.key] = pair.value
            case "network": container.networks.append(value)
            default: break
            }
        }
        return container
    }

    /// Stops a container as `docker stop` does: exited, its published ports released.
    public func stopContainer(_ name: String) throws {
        let file = containersDirectory.appending(path: name)
        let lines = try FakeWorld.require(
            FileManager.default.fileExists(atPath: file.path) ? lines(of: file) : nil, "no fake container \(name)")
        let kept = lines.filter { !$0.hasPrefix("status=") && !$0.hasPrefix("port=") } + ["status=exited"]
        try (kept.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    /// A running container that is not provision's (another tool's), optionally publishing
    /// `hostPort` on 127.0.0.1 (its container port 5000), with the image and labels given.
    public func addForeignContainer(name: String, publishing hostPort: Int? = nil, image: String = "nginx:1.29",
                                    labels: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(at: containersDirectory, withIntermediateDirectories: true)
        var lines = ["id=" + String(repeating: "f0", count: 32), "image=\(image)", "status=running", "restart=no"]
        lines += labels.sorted { $0.key < $1.key }.map { "label=\($0.key)=\($0.value)" }
        if let hostPort {
            lines += ["publish=127.0.0.1:\(hostPort):5000", "port=5000/tcp=127.0.0.1:\(hostPort)"]
        }
        lines.append("network=bridge")
        try (lines.joined(separator: "\n") + "\n")
            .write(to: containersDirectory.appending(path: name), atomically: true, encoding: .utf8)
    }

    /// A docker volume with these labels (an older provision's cache, another tool's volume).
    public func addVolume(name: String, labels: [String: String] = [:]) throws {
        let volume = volumesDirectory.appending(path: name)
        try FileManager.default.createDirectory(at: volume.appending(path: "cache"), withIntermediateDirectories: true)
        try labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
            .write(to: volume.appending(path: "labels"), atomically: true, encoding: .utf8)
    }

    /// The volumes of the fake docker, by name.
    public var volumes: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: volumesDirectory.path)) ?? []).sorted()
    }

    public func volumeLabels(_ name: String) -> [String: String]? {
        let file = volumesDirectory.appending(path: "\(name)/labels")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return Dictionary(lines(of: file).map { Self.keyValue($0) }, uniquingKeysWith: { $1 })
    }

    /// The images a registry keeps in volume `name`: "library/postgres:15.19-alpine3.24",
    /// "team/app@sha256:...".
    public func cachedImages(inVolume name: String) -> [String] {
        let cache = volumesDirectory.appending(path: "\(name)/cache")
        guard let walker = FileManager.default.enumerator(atPath: cache.path) else { return [] }
        var images: [String] = []
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: cache.appending(path: relative).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            let slash = relative.lastIndex(of: "/") ?? relative.startIndex
            let repository = relative[..<slash]
            let version = relative[relative.index(after: slash)...]
            images.append(repository + (version.hasPrefix("sha256:") ? "@" : ":") + version)
        }
        return images.sorted()
    }

    /// Puts an image into a registry's volume, as a `docker push` to it would.
    public func addCachedImage(_ image: String, toVolume name: String) throws {
        let (repository, version) = image.contains("@")
            ? (String(image.split(separator: "@")[0]), String(image.split(separator: "@")[1]))
            : (String(image[..<image.lastIndex(of: ":")!]), String(image[image.index(after: image.lastIndex(of: ":")!)...]))
        let directory = volumesDirectory.appending(path: "\(name)/cache/\(repository)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "25000000\n".write(to: directory.appending(path: version), atomically: true, encoding: .utf8)
    }

    /// The images cluster `cluster`'s kind node holds (normalised: docker.io/library/postgres:15).
    public func nodeImages(_ cluster: String = "wrightnow") -> [String] {
        lines(of: fakeState.appending(path: "nodes/\(cluster).images"))
    }

    /// The images the node could not pull (no host of its hosts.toml had them, no fallback).
    public func nodePullFailures(_ cluster: String = "wrightnow") -> [String] {
        lines(of: fakeState.appending(path: "nodes/\(cluster).pull-failures"))
    }

    /// The node's containerd `config_path` (a containerdConfigPatches entry's or containerd's
    /// default) and whether the kind config's patches set it.
    public func nodeContainerdConfig(_ cluster: String = "wrightnow") -> (configPath: String, patched: Bool)? {
        let lines = lines(of: fakeState.appending(path: "nodes/\(cluster).containerd"))
        guard let path = lines.first(where: { $0.hasPrefix("config_path=") }) else { return nil }
        return (String(path.dropFirst("config_path=".count)), lines.contains("patched=yes"))
    }

    /// The docker networks of the fake world (`kind` once the fake kind made a cluster).
    public var networks: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fakeState.appending(path: "networks").path)) ?? []).sorted()
    }

    /// The images on the host (docker's image store), as pulled.
    public var hostImages: [String] { lines(of: fakeState.appending(path: "images")) }

    private static func keyValue(_ text: String) -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "=") else { return (text, "") }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}
