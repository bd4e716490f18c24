import Foundation
import ProcessRunning
import ProvisionCore
import Synchronization

/// The kind backend's image caches, after kind's local registry guide: a pull-through mirror
/// per upstream registry the stack's images come from and a local registry for the team's own
/// images, each a registry container on kind's network with its storage on a named volume
/// that outlives the cluster; containerd in the node finds them through `hosts.toml` files in
/// the host directory the kind config mounts at its `config_path`.
final class KindImageCaches: ImageCaches {
    let runner: any CommandRunner
    /// The host directory mounted at containerd's `config_path` in the node.
    let hostsDirectory: URL
    /// How ``hostsDirectory`` is shown (relative to the repository).
    let hostsDirectoryShown: String
    let local: LocalRegistryHosting?
    let portChecker: any PortChecker
    /// Each mirror's published address on this machine, learnt when the caches start.
    private let published = Mutex<[String: String]>([:])

    /// kind's network, which `kind create cluster` makes and `kind delete cluster` keeps.
    static let network = "kind"

    init(
        runner: any CommandRunner, hostsDirectory: URL, hostsDirectoryShown: String, local: LocalRegistryHosting?,
        portChecker: any PortChecker
    ) {
        self.runner = runner
        self.hostsDirectory = hostsDirectory
        self.hostsDirectoryShown = hostsDirectoryShown
        self.local = local
        self.portChecker = portChecker
    }

    /// The local registry, then a mirror per registry the images come from, sorted.
    func caches(for images: [String]) -> [RegistryCache] {
        let registries = Set(images.compactMap { ImageReference($0)?.registry })
            .filter { RegistryCache.isMirrorable($0) && $0 != local?.host }
        return (local.map { [RegistryCache.local($0)] } ?? []) + registries.sorted().map(RegistryCache.mirror(of:))
    }

    /// Without images (`provision plan` renders nothing), the mirrors are described, not named.
    func describe(for images: [String]) -> [String] {
        caches(for: images).map { cache in
            switch cache.role {
            case .mirror: "mirror of \(cache.serves): container and volume \(cache.name)"
            case .registry: "local registry \(cache.serves): container and volume \(cache.name)"
            }
        }
            + (images.isEmpty
                ? ["a pull-through mirror (provision-mirror-<registry>) for each registry the rendered images come from"]
                : [])
            + ["containerd in the node reads them from \(hostsDirectoryShown)"]
    }

    // MARK: Start

    func start(for images: [String]) async throws -> CacheStart {
        let wanted = caches(for: images)
        let names = wanted.map(\.name)
        var containers = try await inspectContainers(names)
        // A cache whose container runs has its own volume; the others' volumes are looked at
        // (one made by another version, or by someone else, is refused, not reused).
        let unstarted = wanted.filter { containers[$0.name] == nil }.map(\.name)
        let volumes = try await inspectVolumes(unstarted)
        if let problem = Problem.all(problems(wanted, containers: containers, volumes: volumes), kind: .preflight) {
            throw problem
        }
        // A cache that will not start (its image cannot be pulled, its port was taken since)
        // is a warning: containerd goes to the registry itself, as for a cache that is down.
        var actions: [String] = []
        var warnings: [PreflightWarning] = []
        for cache in wanted {
            do {
                if unstarted.contains(cache.name), volumes[cache.name] == nil {
                    try await docker(cache.volumeCreateArguments())
                }
                switch containers[cache.name]?.state {
                case nil:
                    try await docker(cache.runArguments(), timeout: .seconds(300), about: cache)
                    actions.append("started \(cache.name)")
                case "running":
                    break
                default:
                    try await docker(["start", cache.name], about: cache)
                    actions.append("restarted \(cache.name)")
                }
            } catch {
                let problem = Problem(error)
                warnings.append(PreflightWarning(
                    problem: "\(problem.problem): \(Self.reason(of: problem)); nodes pull from \(cache.serves) "
                        + "itself" + (cache.role == .registry ? " (images pushed to it cannot be pulled)" : ""),
                    fix: problem.fix))
            }
        }
        if !actions.isEmpty || !warnings.isEmpty { containers = try await inspectContainers(names) }
        // On kind's network (there once any kind cluster was made), so the node reaches them by
        // name; a cluster made after this joins them in ``attach()``.
        for cache in wanted where containers[cache.name]?.state == "running"
            && containers[cache.name]?.networks.contains(Self.network) != true
        {
            _ = try await connect(cache.name)
        }
        try writeHostsFiles(wanted)
        var addresses: [String: String] = [:]
        for cache in wanted where cache.role == .mirror {
            addresses[cache.serves] = containers[cache.name]?.published["\(cache.containerPort)/tcp"]
        }
        published.withLock { $0 = addresses }
        let warmable = images.filter { image in ImageReference(image).map { addresses[$0.registry] != nil } ?? false }
        let kept = wanted.count - actions.count
        let summary = wanted.map { "\($0.role == .mirror ? "mirror of" : "registry") \($0.serves)" }.joined(separator: ", ")
        let note = "image caches: \(summary)"
            + (actions.isEmpty ? "" : "; " + actions.joined(separator: ", "))
            + (kept - warnings.count > 0 ? "; \(kept - warnings.count) already running" : "")
            + (warnings.isEmpty ? "" : "; \(warnings.count) could not start")
            + "; containerd hosts in \(hostsDirectoryShown)"
        return CacheStart(note: note, warmable: warmable, warnings: warnings)
    }

    /// What keeps the caches from starting, each with its fix.
    private func problems(
        _ wanted: [RegistryCache], containers: [String: Container], volumes: [String: Volume]
    ) -> [Problem] {
        var problems: [Problem] = []
        for cache in wanted {
            if let found = containers[cache.name], found.role != cache.role.rawValue || found.serves != cache.serves {
                problems.append(Problem(
                    .preflight,
                    problem: "a container named \(cache.name) exists but is not provision's \(cache.role.rawValue) "
                        + "for \(cache.serves) (its \(RegistryCache.roleLabel) label is '\(found.role)')",
                    fix: "rename it (`docker rename \(cache.name) \(cache.name)-old`) or remove it "
                        + "(`docker rm -f \(cache.name)`) if it is not needed, then run `provision up` again"))
            }
            if let volume = volumes[cache.name], volume.format != RegistryCache.cacheFormat || volume.role != cache.role.rawValue {
                let made = volume.role.isEmpty
                    ? "was not made by provision" : "holds cache format '\(volume.format)' of another provision version"
                problems.append(Problem(
                    .preflight,
                    problem: "the volume \(cache.name) \(made); this version writes cache format \(RegistryCache.cacheFormat)",
                    fix: "remove it (the images in it are only a cache): `provision down --remove-caches`, or "
                        + "`docker volume rm \(cache.name)` once no container uses it; then run `provision up` again"))
            }
            // The local registry's port must be free unless the registry itself holds it.
            if cache.role == .registry, let local, containers[cache.name]?.state != "running" {
                let (problem, _) = portChecker.check(
                    [PublishedPort(port: local.hostPort, address: "127.0.0.1")],
                    publisher: { _ in "the local registry \(local.host) is published there" },
                    otherPort: "change `host` in k8s/\(LocalRegistryHosting.file) to another localhost port")
                if let problem { problems.append(problem) }
            }
        }
        return problems
    }

    /// Joins every cache to kind's network once a new cluster made it. Returns what it did.
    func attach() async throws -> [String] {
        let found = try await ownContainers()
        var joined: [String] = []
        for container in found where !container.networks.contains(Self.network) {
            if try await connect(container.name) { joined.append(container.name) }
        }
        return joined.isEmpty ? [] : ["joined \(joined.count) image cache(s) to network `\(Self.network)`"]
    }

    /// `docker network connect`; false when kind's network does not exist yet.
    private func connect(_ name: String) async throws -> Bool {
        let command = Command("docker", ["network", "connect", Self.network, name], timeout: .seconds(60))
        let output = try await runner.execute(command, notFound: ToolRequirements.docker.missing)
        if output.exitStatus == 0 { return true }
        let text = output.standardError
        // moby: a network that does not exist (kind makes it with its first cluster), or a
        // container that joined it meanwhile.
        if text.contains("network \(Self.network) not found") { return false }
        if text.contains("already exists in network") { return true }
        throw CommandError(command: command, reason: .exited(output.exitStatus), output: output)
    }

    private func writeHostsFiles(_ wanted: [RegistryCache]) throws {
        for cache in wanted {
            // containerd's directory per registry host, port included (`localhost:5001`).
            let directory = hostsDirectory.appending(path: cache.serves)
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try Data(cache.hostsToml.utf8).write(to: directory.appending(path: "hosts.toml"), options: .atomic)
            } catch {
                throw Problem(
                    problem: "cannot write containerd's hosts file for \(cache.serves) in \(hostsDirectoryShown): "
                        + error.localizedDescription,
                    fix: "make \(hostsDirectoryShown) writable (Docker creates a missing mount directory owned by root: "
                        + "`sudo chown -R $USER \(hostsDirectoryShown)`), then run `provision up` again")
            }
        }
    }

    // MARK: Warm-up

    func warmUp(_ image: String) async throws -> String? {
        guard let reference = ImageReference(image),
            let address = published.withLock({ $0[reference.registry] })
        else { return "no cache serves it; the node pulls it itself" }
        // Through the mirror's published port (Docker trusts plain HTTP on 127.0.0.0/8): the
        // mirror keeps what passes; the host's copy is untagged again at once.
        let local = reference.on(address)
        try await docker(["pull", "--quiet", local], timeout: .seconds(1800))
        _ = try? await runner.execute(Command("docker", ["image", "rm", local], timeout: .seconds(120)))
        return "cached by \(RegistryCache.mirror(of: reference.registry).name)"
    }

    // MARK: Status and removal

    func survey(sizes withSizes: Bool) async throws -> [CacheStatus] {
        let found = try await ownContainers()
        let sizes = withSizes ? (try? await volumeSizes()) ?? [:] : [:]
        return found.map {
            CacheStatus(role: $0.role, serves: $0.serves, name: $0.name, state: $0.state, size: sizes[$0.name])
        }.sorted { ($0.role, $0.serves) > ($1.role, $1.serves) }
    }

    func remove() async throws -> String {
        let containers = try await ownContainers().map(\.name)
        if !containers.isEmpty { try await docker(["rm", "--force"] + containers, timeout: .seconds(120)) }
        let listed = try await docker(
            ["volume", "ls", "--quiet", "--filter", "label=\(RegistryCache.roleLabel)"], timeout: .seconds(60))
        let volumes = listed.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        if !volumes.isEmpty { try await docker(["volume", "rm"] + volumes, timeout: .seconds(120)) }
        guard !containers.isEmpty || !volumes.isEmpty else { return "no image caches to remove" }
        return "removed image caches: \(containers.count) container(s), \(volumes.count) volume(s) "
            + "(only cached images were lost); \(hostsDirectoryShown) now points at caches that are gone, "
            + "so nodes pull from the registries themselves"
    }

    // MARK: Docker

    /// The last line of what the command underneath said (docker's own reason).
    static func reason(of problem: Problem) -> String {
        let output = (problem.cause as? CommandError)?.output?.standardError ?? ""
        let lines: [String] = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.last { !$0.isEmpty && !$0.hasPrefix("Run 'docker") } ?? "see `provision history`"
    }

    struct Container: Sendable, Hashable {
        var name: String
        var state: String
        var role: String
        var serves: String
        /// "5000/tcp" -> "127.0.0.1:32768"
        var published: [String: String]
        var networks: Set<String>
    }

    struct Volume: Sendable, Hashable {
        var role: String
        var format: String
    }

    /// One line per container; Go templates print a missing label as an empty string.
    static let inspectFormat =
        "{{.Name}}|{{.State.Status}}|{{index .Config.Labels \"\(RegistryCache.roleLabel)\"}}"
        + "|{{index .Config.Labels \"\(RegistryCache.servesLabel)\"}}"
        + "|{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{$p}}={{.HostIp}}:{{.HostPort}} {{end}}{{end}}"
        + "|{{range $n, $e := .NetworkSettings.Networks}}{{$n}} {{end}}"

    /// The containers of these names that exist, by name. `docker container inspect` prints
    /// the ones it found and an error line for each missing one (exit status 1).
    func inspectContainers(_ names: [String]) async throws -> [String: Container] {
        guard !names.isEmpty else { return [:] }
        let output = try await inspect(["container", "inspect", "--format", Self.inspectFormat] + names, missing: "No such container")
        var found: [String: Container] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6 else { continue }
            let name = fields[0].hasPrefix("/") ? String(fields[0].dropFirst()) : fields[0]
            var published: [String: String] = [:]
            for binding in fields[4].split(separator: " ") {
                let parts = binding.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2, published[parts[0]] == nil { published[parts[0]] = parts[1] }
            }
            found[name] = Container(
                name: name, state: fields[1], role: fields[2], serves: fields[3], published: published,
                networks: Set(fields[5].split(separator: " ").map(String.init)))
        }
        return found
    }

    /// The volumes of these names that exist, by name.
    func inspectVolumes(_ names: [String]) async throws -> [String: Volume] {
        guard !names.isEmpty else { return [:] }
        let format = "{{.Name}}|{{index .Labels \"\(RegistryCache.roleLabel)\"}}|{{index .Labels \"\(RegistryCache.formatLabel)\"}}"
        let output = try await inspect(["volume", "inspect", "--format", format] + names, missing: "no such volume")
        var found: [String: Volume] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            found[fields[0]] = Volume(role: fields[1], format: fields[2])
        }
        return found
    }

    /// Runs an inspect whose missing objects are expected: its standard output, unless it
    /// failed for another reason (the daemon, a template).
    private func inspect(_ arguments: [String], missing: String) async throws -> String {
        let command = Command("docker", arguments, timeout: .seconds(60))
        let output = try await runner.execute(command, notFound: ToolRequirements.docker.missing)
        let otherErrors = output.standardError.split(separator: "\n").filter { !$0.contains(missing) }
        guard output.exitStatus == 0 || otherErrors.isEmpty else {
            throw CommandError(command: command, reason: .exited(output.exitStatus), output: output)
        }
        return output.standardOutput
    }

    /// Every cache container provision made on this machine, found by its label.
    private func ownContainers() async throws -> [Container] {
        let listed = try await docker(
            ["ps", "--all", "--quiet", "--filter", "label=\(RegistryCache.roleLabel)"], timeout: .seconds(60))
        let ids = listed.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        return Array(try await inspectContainers(ids).values).sorted { $0.name < $1.name }
    }

    /// Each volume's size as docker reports it (`12.35MB`, cli/command/formatter/volume.go Size).
    /// The verbose disk usage is the CLI's one way to it; it walks every volume, so only
    /// `status` asks. The template's `\n` is the two characters, which the CLI turns into a
    /// newline (cli/command/formatter/formatter.go).
    private func volumeSizes() async throws -> [String: String] {
        let listed = try await docker(
            ["system", "df", "--verbose", "--format", "{{range .Volumes}}{{.Name}}|{{.Size}}\\n{{end}}"],
            timeout: .seconds(120))
        var sizes: [String: String] = [:]
        for line in listed.split(separator: "\n") {
            let fields = line.split(separator: "|").map(String.init)
            if fields.count == 2, fields[1] != "N/A" { sizes[fields[0]] = fields[1] }
        }
        return sizes
    }

    @discardableResult
    private func docker(_ arguments: [String], timeout: Duration = .seconds(60), about cache: RegistryCache? = nil) async throws -> String {
        let command = Command("docker", arguments, timeout: timeout)
        let output = try await runner.execute(command, notFound: ToolRequirements.docker.missing)
        guard output.exitStatus == 0 else {
            let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
            guard let cache else { throw failure }
            throw Problem(
                problem: "could not start the image cache \(cache.name) (\(cache.role.rawValue) for \(cache.serves))",
                fix: "read docker's answer below; `provision status` lists the caches, and "
                    + "`provision down --remove-caches` removes them to start afresh",
                cause: failure)
        }
        return output.standardOutput
    }
}
