import Foundation
import Kubernetes
import ProvisionCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One end-to-end test's world: a temporary copy of the repository's `k8s/` (with the kind
/// config's host ports moved to free high ports), the fake kind/kubectl/docker/curl first on
/// PATH, their log and state, and a private `provision` state directory.
public final class FakeWorld {
    public let root: URL
    public let repository: URL
    public let fakeState: URL
    public let stateDirectory: URL
    public let hostPorts: [Int]
    /// The local registry's host port in this world's `k8s/` (5001 in the repository's).
    public let registryHostPort: Int
    public var environment: [String: String] = [:]
    /// Set by a test that makes `provision` call a fake in a way the real tool refuses, on
    /// purpose; otherwise any such call fails the test when the world goes away.
    public var expectsRefusedCalls = false

    public static let fakeTools = Repository.root.appending(path: "Tests/Fixtures/fake-tools")

    /// What the POSIX sh fakes call besides each other.
    public static let utilitiesOfFakes = [
        "sh", "basename", "dirname", "mkdir", "cat", "cp", "rm", "grep", "sed", "awk", "tr", "cut", "head",
        "sleep", "env", "sort", "date", "mv", "od", "tail", "find", "wc", "base64",
    ]

    /// - Parameters:
    ///   - extra: environment variables for every provision run (fake switches).
    ///   - missingTools: fakes left off PATH, as if the tool were not installed. PATH then
    ///     holds only the remaining fakes and the system directories that lack the tool.
    ///   - pinFakeIngressManifest: pin the fake curl's stand-ins for the upstream manifests in
    ///     the copy of `k8s/` (false keeps the real upstream digests, which no stand-in matches).
    public init(environment extra: [String: String] = [:], missingTools: [String] = [],
         pinFakeIngressManifest: Bool = true) throws {
        let manager = FileManager.default
        root = manager.temporaryDirectory.appending(path: "provision-cli-\(UUID().uuidString.prefix(8))")
        repository = root.appending(path: "repo")
        fakeState = root.appending(path: "fake")
        stateDirectory = root.appending(path: "state")
        try manager.createDirectory(at: repository, withIntermediateDirectories: true)
        try manager.createDirectory(at: fakeState, withIntermediateDirectories: true)
        try manager.copyItem(
            at: Repository.root.appending(path: "k8s"), to: repository.appending(path: "k8s"))
        hostPorts = [try Self.freePort(), try Self.freePort()]
        registryHostPort = try Self.freePort()
        try moveHostPorts()
        try moveRegistryHostPort()
        if pinFakeIngressManifest { try pinTheFakeManifests() }

        var environment = ProcessInfo.processInfo.environment
        let originalPath = environment["PATH"] ?? "/usr/bin:/bin"
        environment["PATH"] = Self.fakeTools.path + ":" + originalPath
        if !missingTools.isEmpty {
            let tools = root.appending(path: "tools")
            try manager.createDirectory(at: tools, withIntermediateDirectories: true)
            for file in try manager.contentsOfDirectory(atPath: Self.fakeTools.path) where !missingTools.contains(file) {
                try ExecutableFile.copy(Self.fakeTools.appending(path: file), to: tools.appending(path: file))
            }
            // /usr/bin may hold a real kubectl, so PATH is this directory alone, with links to the
            // few system programs the fakes use.
            for utility in Self.utilitiesOfFakes {
                let found = originalPath.split(separator: ":").map { "\($0)/\(utility)" }
                    .first { manager.isExecutableFile(atPath: $0) }
                let program = try FakeWorld.require(found, "\(utility) is needed by the fake tools")
                try manager.createSymbolicLink(
                    at: tools.appending(path: utility), withDestinationURL: URL(filePath: program))
            }
            environment["PATH"] = tools.path
        }
        environment["FAKE_STATE"] = fakeState.path
        environment["FAKE_LOG"] = fakeState.appending(path: "calls.log").path
        environment["REAL_KUBECTL"] = try Self.realKubectl(path: originalPath)
        environment["FAKE_KUBECTL_FLAGS"] = Self.kubectlFlagsCache.path
        environment["PROVISION_STATE_DIR"] = stateDirectory.path
        environment.removeValue(forKey: "XDG_STATE_HOME")
        for (key, value) in extra { environment[key] = value }
        self.environment = environment
    }

    deinit {
        // Calls the real tools would have refused (an unknown flag, a flag without its value):
        // the fakes answered them as the real tools do and noted them here.
        do { try checkRefusedCalls() } catch {
            FileHandle.standardError.write(Data("FakeWorld: \(error)\n".utf8))
        }
        // Release anything a fake may still wait for, then clean up.
        _ = FileManager.default.createFile(atPath: releaseFile.path, contents: nil)
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: Running provision

    public func start(_ arguments: [String], environment extra: [String: String] = [:], input: Data? = nil) throws
        -> ChildProcess
    {
        let binary = try FakeWorld.require(
            BuildProducts.provision,
            "the provision executable was not found next to the test bundle; build it (`swift build`) or set PROVISION_BINARY")
        var environment = self.environment
        for (key, value) in extra { environment[key] = value }
        return try ChildProcess(
            [binary.path] + arguments, environment: environment, workingDirectory: repository, input: input)
    }

    @discardableResult
    public func provision(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> ProcessResult {
        let result = try await start(arguments, environment: extra).wait()
        try checkRefusedCalls()
        return result
    }

    // MARK: What the fakes saw

    /// Every fake tool call, one line each: "kind create cluster --name wrightnow ...".
    public var calls: [String] { lines(of: fakeState.appending(path: "calls.log")) }

    /// What happened to the fake cluster, in order: "applied Ingress/authentik", "ready job/...".
    public var events: [String] { lines(of: fakeState.appending(path: "events.log")) }

    public func calls(containing text: String) -> [String] { calls.filter { $0.contains(text) } }

    /// A running cluster the fake kubectl reaches through `context` (one that some tool other
    /// than the fake kind made, or a test made directly): its node state and its kubeconfig entry.
    /// - Parameter server: the API server's HOST:PORT; a remote documentation address by default.
    public func addCluster(_ name: String, context: String, server: String? = nil, makeCurrent: Bool = false) throws {
        let manager = FileManager.default
        for directory in ["contexts", "clusters"] {
            try manager.createDirectory(at: fakeState.appending(path: directory), withIntermediateDirectories: true)
        }
        try "running\n".write(to: fakeState.appending(path: "clusters/\(name)"), atomically: true, encoding: .utf8)
        try ([name] + (server.map { [$0] } ?? [])).joined(separator: "\n").appending("\n")
            .write(to: fakeState.appending(path: "contexts/\(context)"), atomically: true, encoding: .utf8)
        if makeCurrent {
            try "\(context)\n".write(to: fakeState.appending(path: "current-context"), atomically: true, encoding: .utf8)
        }
    }

    /// Forget the calls so far (to look at one command's calls only).
    public func clearCalls() throws {
        try? FileManager.default.removeItem(at: fakeState.appending(path: "calls.log"))
        try? FileManager.default.removeItem(at: fakeState.appending(path: "events.log"))
    }

    /// The file whose existence releases a call held by FAKE_BLOCK.
    public var releaseFile: URL { fakeState.appending(path: "release") }

    /// Waits until a fake call held by FAKE_BLOCK is waiting, or fails as soon as `running`
    /// has ended without reaching it. The limit only keeps a stuck run from hanging the suite:
    /// 30 s ran out on a 2-core machine running a second build beside the full suite (issue 15).
    public func waitUntilBlocked(_ running: ChildProcess, limit: TimeInterval = 300) async throws {
        let marker = fakeState.appending(path: "blocked")
        let deadline = Date().addingTimeInterval(limit)
        while !FileManager.default.fileExists(atPath: marker.path) {
            guard running.isRunning || FileManager.default.fileExists(atPath: marker.path) else {
                let result = await running.wait(limit: 10)
                throw FakeWorldError(description: "provision ended before any fake call blocked: \(result); calls: \(calls)")
            }
            guard Date() < deadline else {
                throw FakeWorldError(description: "no fake call blocked within \(Int(limit)) s; calls: \(calls)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public func release() {
        _ = FileManager.default.createFile(atPath: releaseFile.path, contents: nil)
    }

    // MARK: History

    public func historyRuns() async throws -> [RunRecord] {
        let result = try await provision("history", "--json", "--limit", "100")
        try FakeWorld.require(result.exitCode == 0, "history --json failed: \(result)")
        return try Self.decoder.decode([RunRecord].self, from: Data(result.standardOutput.utf8))
    }

    public struct RunWithSteps: Decodable {
        public var run: RunRecord
        public var steps: [StepRecord]
    }

    public func history(of run: RunID) async throws -> RunWithSteps {
        let result = try await provision("history", "\(run.rawValue)", "--json")
        try FakeWorld.require(result.exitCode == 0, "history \(run.rawValue) --json failed: \(result)")
        return try Self.decoder.decode(RunWithSteps.self, from: Data(result.standardOutput.utf8))
    }

    /// The last run and its steps.
    public func lastRun() async throws -> RunWithSteps {
        let runs = try await historyRuns()
        let last = try FakeWorld.require(runs.first, "no run recorded")
        return try await history(of: last.id)
    }

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    // MARK: Files

    public var kindConfig: URL { repository.appending(path: "k8s/overlays/local/kind-cluster-config.yaml") }

    /// The host directory the kind config mounts for volume data (relative to the repository).
    public var dataDirectory: URL { repository.appending(path: ".data/local-path-provisioner") }

    /// Where `provision` keeps the generated Secret `name` of the cluster `wrightnow`.
    public func secretsFile(_ name: String) -> URL {
        SecretVault(stateDirectory: stateDirectory, cluster: "wrightnow").fileURL(for: name)
    }

    func lines(of file: URL) -> [String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// The fake curl serves small stand-ins for the upstream manifests the overlays pin (the
    /// edge's CRDs and controllers); this world's `k8s/` pins those stand-ins' digests, as a
    /// repository pins the real ones. Every `url:` of every pin file under `k8s/` is fetched.
    private func pinTheFakeManifests() throws {
        let k8s = repository.appending(path: "k8s")
        let files = FileManager.default.enumerator(at: k8s, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }
            .filter { $0.deletingLastPathComponent().lastPathComponent == "pins" && $0.pathExtension == "yaml" } ?? []
        for pinFile in files {
            var lines = try String(contentsOf: pinFile, encoding: .utf8).components(separatedBy: "\n")
            var url: Substring?
            for (index, line) in lines.enumerated() {
                if let match = line.firstMatch(of: /^\s*(?:- )?url: (\S+)$/) {
                    url = match.1
                } else if let match = line.firstMatch(of: /^(\s*)sha256: [0-9a-f]{64}$/), let pinned = url {
                    lines[index] = "\(match.1)sha256: \(try standInDigest(of: String(pinned)))"
                    url = nil
                }
            }
            try lines.joined(separator: "\n").write(to: pinFile, atomically: true, encoding: .utf8)
        }
    }

    /// The digest of what the fake curl answers for `url`: the same for every world, so asked
    /// once per test process (each ask is a blocking child process in a synchronous init).
    private func standInDigest(of url: String) throws -> String {
        if let known = Self.standInDigests.withLock({ $0[url] }) { return known }
        let fetched = try ChildProcess.runBlocking(
            [Self.fakeTools.appending(path: "curl").path, "-fsSL", url],
            environment: ChildProcess.environment(adding: ["FAKE_STATE": fakeState.path, "FAKE_INTERNAL": "1"]))
        try FakeWorld.require(fetched.succeeded, "fake curl: \(fetched.description)")
        let digest = SHA256.hexDigest(of: fetched.standardOutput)
        Self.standInDigests.withLock { $0[url] = digest }
        return digest
    }

    private static let standInDigests = Mutex<[String: String]>([:])

    /// The tests must not depend on ports 80 and 443 being free on the machine: every kind
    /// overlay's config gets free high ports instead (the same ones: one cluster at a time).
    private func moveHostPorts() throws {
        let overlays = repository.appending(path: "k8s/overlays")
        for overlay in try FileManager.default.contentsOfDirectory(atPath: overlays.path) {
            let config = overlays.appending(path: "\(overlay)/kind-cluster-config.yaml")
            guard FileManager.default.fileExists(atPath: config.path) else { continue }
            var text = try String(contentsOf: config, encoding: .utf8)
            for (old, new) in zip([80, 443], hostPorts) {
                let before = text
                text = text.replacingOccurrences(of: "hostPort: \(old)\n", with: "hostPort: \(new)\n")
                // Port 80 is the edge's; 443 only where the overlay publishes it (ingress-nginx's).
                try FakeWorld.require(
                    before != text || old != 80, "\(overlay)'s kind config no longer maps hostPort 80; update FakeWorld")
            }
            try text.write(to: config, atomically: true, encoding: .utf8)
        }
    }

    /// The local registry's address, `localhost:5001` in the repository's KEP-1755 ConfigMap,
    /// moves to a free high port too, when the component is there.
    private func moveRegistryHostPort() throws {
        let hosting = repository.appending(path: "k8s/components/kind-registry/local-registry-hosting.yaml")
        guard FileManager.default.fileExists(atPath: hosting.path) else { return }
        let text = try String(contentsOf: hosting, encoding: .utf8)
        let moved = text.replacingOccurrences(of: "localhost:5001", with: "localhost:\(registryHostPort)")
        try FakeWorld.require(moved != text, "local-registry-hosting.yaml no longer names localhost:5001; update FakeWorld")
        try moved.write(to: hosting, atomically: true, encoding: .utf8)
    }

    private static func realKubectl(path: String) throws -> String {
        let venv = Repository.root.appending(path: ".venv/bin/kubectl").path
        let candidates = path.split(separator: ":").map { "\($0)/kubectl" } + [venv, "/usr/bin/kubectl"]
        let found = candidates.first {
            !$0.hasPrefix(fakeTools.path) && FileManager.default.isExecutableFile(atPath: $0)
        }
        return try FakeWorld.require(found, "a real kubectl is needed to render k8s/ (kubectl kustomize)")
    }

    /// Calls the fakes answered as refused by the real tool.
    public var refusedCalls: [String] { lines(of: fakeState.appending(path: "rejected.log")) }

    /// Calls the real tools would have refused (an unknown flag, a flag without its value).
    public struct RefusedCalls: Error, CustomStringConvertible {
        public var calls: [String]
        public var description: String {
            "the real tools would refuse these calls provision made:\n" + calls.joined(separator: "\n")
        }
    }

    /// Throws ``RefusedCalls`` when a fake refused a call, unless the test expects that;
    /// `provision(...)` and the in-process runs check after every command.
    public func checkRefusedCalls() throws {
        let refused = refusedCalls
        if !refused.isEmpty, !expectsRefusedCalls { throw RefusedCalls(calls: refused) }
    }

    /// Where the fake kubectl keeps the flags of each kubectl command, read once per test
    /// process from the real kubectl's `--help`.
    public static let kubectlFlagsCache: URL = {
        let directory = FileManager.default.temporaryDirectory.appending(path: "provision-kubectl-flags-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int { try ListeningSocket.freePort() }
}

/// Why a fake world could not be set up or read; the test that asked fails with it.
public struct FakeWorldError: Error, CustomStringConvertible {
    public var description: String
}

extension FakeWorld {
    /// Testing's `#require` without Testing, so a benchmark can build a fake world too.
    static func require<T>(_ value: T?, _ message: @autoclosure () -> String = "required value missing") throws -> T {
        guard let value else { throw FakeWorldError(description: message()) }
        return value
    }

    static func require(_ condition: Bool, _ message: @autoclosure () -> String = "requirement failed") throws {
        guard condition else { throw FakeWorldError(description: message()) }
    }
}
