import Foundation
import Kubernetes
import ProvisionCore
import Testing
import TestSupport
import Yams
@testable import ProvisionCLI

/// `provision argocd export --source local-registry`: the work tree pushed as an OCI artifact to
/// a real registry (Debian's docker-registry, the distribution project's) through the real curl,
/// read back as Argo CD's repo server reads it: one tar+gzip content layer, unpacked, and the
/// export's directory rendered by the real `kubectl kustomize` from there alone.
@Suite("argocd export --source local-registry")
struct ArgoCDLocalSourceTests {
    /// A git world whose local registry (at `world.registryHostPort`) is a real one, reached by the real curl.
    static func world() async throws -> (FakeWorld, RealRegistry) {
        let world = try ArgoCDExportTests.gitWorld()
        world.environment["FAKE_CURL_REAL_PORTS"] = String(world.registryHostPort)
        let registry = try await RealRegistry(port: world.registryHostPort)
        return (world, registry)
    }

    /// The manifest the tag names, and its single content layer unpacked into a new directory.
    static func pull(_ registry: RealRegistry, tag: String) async throws
        -> (manifest: [String: Any], digest: String, files: TemporaryDirectory)
    {
        let data = try await registry.get(
            "wrightnow/stack/manifests/\(tag)", accept: OCIArtifact.manifestMediaType)
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        // Argo CD v3.5.1 util/oci/client.go: exactly one content layer, of an allowed media type.
        try #require(layers.count == 1, "\(layers)")
        #expect(layers[0]["mediaType"] as? String == "application/vnd.oci.image.layer.v1.tar+gzip")
        let digest = try #require(layers[0]["digest"] as? String)
        let layer = try await registry.get("wrightnow/stack/blobs/\(digest)")
        #expect("sha256:" + SHA256.hexDigest(of: layer) == digest)
        let files = try TemporaryDirectory("provision-layer")
        let archive = files.url.appending(path: "layer.tar.gz")
        try layer.write(to: archive)
        let unpacked = try await ChildProcess.run(["tar", "-xzf", archive.path, "-C", files.url.path])
        try #require(unpacked.succeeded, "\(unpacked)")
        try FileManager.default.removeItem(at: archive)
        return (manifest, "sha256:" + SHA256.hexDigest(of: data), files)
    }

    @Test("pushes the work tree (new files too, ignored ones never); Argo CD's path renders from the artifact alone")
    func pushedArtifactRenders() async throws {
        let (world, registry) = try await Self.world()
        // An uncommitted change, a new file, and a credential file that .gitignore excludes.
        let k8s = world.repository.appending(path: "k8s")
        try "# a local change\n".write(to: k8s.appending(path: "README.local.md"), atomically: true, encoding: .utf8)
        try "*-secrets.yaml\n".write(to: world.repository.appending(path: ".gitignore"), atomically: true, encoding: .utf8)
        try "password: hunter2\n".write(
            to: k8s.appending(path: "overlays/local/authentik-secrets.yaml"), atomically: true, encoding: .utf8)

        let result = try await world.provision("argocd", "export", "--source", "local-registry")
        #expect(result.succeeded, "\(result)")
        let reference = "localhost:\(world.registryHostPort)/wrightnow/stack:local"
        #expect(result.standardOutput.contains("Pushed: \(reference) (sha256:"), "\(result)")
        #expect(result.standardOutput.contains("Source: oci://provision-registry:5000/wrightnow/stack at local, path k8s/argocd/local"),
                "\(result)")
        // The local registry is kind's, so the next steps name the kind cluster's context.
        #expect(result.standardOutput.contains("kubectl --context kind-wrightnow apply -f k8s/argocd/local/application.yaml"),
                "\(result)")
        #expect(result.standardOutput.contains(
            "kubectl --context kind-wrightnow -n argocd annotate application wrightnow-local argocd.argoproj.io/refresh=normal"),
                "\(result)")
        #expect(!result.standardOutput.contains("git push"), "\(result)")

        let (manifest, digest, files) = try await Self.pull(registry, tag: "local")
        #expect(result.standardOutput.contains(digest), "the printed digest is the tag's: \(result)")
        #expect((manifest["config"] as? [String: Any])?["mediaType"] as? String == "application/vnd.oci.empty.v1+json")
        let pulled = files.url
        #expect(FileManager.default.fileExists(atPath: pulled.appending(path: "k8s/README.local.md").path))
        #expect(!FileManager.default.fileExists(atPath: pulled.appending(path: "k8s/overlays/local/authentik-secrets.yaml").path),
                "an ignored credential file left the machine")
        // Nothing but the manifests: the repository's other files stay home.
        let top = try FileManager.default.contentsOfDirectory(atPath: pulled.path)
        #expect(top == ["k8s"], "\(top)")

        // What Argo CD renders at the Application's path is what the work tree renders.
        let fromArtifact = try await ArgoCDExportTests.render(pulled.appending(path: "k8s/argocd/local"), in: world)
        let fromWorkTree = try await ArgoCDExportTests.render(k8s.appending(path: "argocd/local"), in: world)
        #expect(fromArtifact.map(\.document.reference) == fromWorkTree.map(\.document.reference))
        #expect(fromArtifact.count > 10, "\(fromArtifact.count) objects")
    }

    @Test("application.yaml: the Application reads the artifact by its in-cluster address; the repository Secret allows plain HTTP")
    func applicationAndRepository() async throws {
        let (world, registry) = try await Self.world()
        defer { withExtendedLifetime(registry) {} }
        let result = try await world.provision("argocd", "export", "--source", "local-registry")
        try #require(result.succeeded, "\(result)")
        let text = try String(
            contentsOf: world.repository.appending(path: "k8s/argocd/local/application.yaml"), encoding: .utf8)
        let documents = try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
        try #require(documents.count == 2, "\(documents)")
        let application = documents[0]
        let source = try #require((application["spec"] as? [String: Any])?["source"] as? [String: String])
        #expect(source == [
            "repoURL": "oci://provision-registry:5000/wrightnow/stack", "targetRevision": "local", "path": "k8s/argocd/local",
        ])
        let schema = world.root.appending(path: "application-schema.json")
        try ArgoCDExportTests.strictSchema().write(to: schema)
        let separator = try #require(text.range(of: "\n---\n"))
        let applicationText = String(text[..<separator.lowerBound]) + "\n"
        let valid = try await ArgoCDExportTests.validate(applicationText, schema: schema, in: world.root)
        #expect(valid.succeeded, "\(valid)")

        // argo-cd v3.5.1 util/db/repository_secrets.go: the label makes it a repository; the
        // url matches the Application's; insecureOCIForceHttp switches the client to HTTP.
        let secret = documents[1]
        #expect(secret["kind"] as? String == "Secret")
        let metadata = try #require(secret["metadata"] as? [String: Any])
        #expect(metadata["namespace"] as? String == "argocd")
        #expect((metadata["labels"] as? [String: String])?["argocd.argoproj.io/secret-type"] == "repository")
        let data = try #require(secret["stringData"] as? [String: String])
        #expect(data == ["type": "oci", "url": source["repoURL"]!, "insecureOCIForceHttp": "true"])
    }

    @Test("a second export of an unchanged tree uploads nothing; a change moves the tag")
    func unchangedIsANoOp() async throws {
        let (world, registry) = try await Self.world()
        let first = try await world.provision("argocd", "export", "--source", "local-registry")
        try #require(first.succeeded, "\(first)")
        let before = try await Self.pull(registry, tag: "local").digest

        let again = try await world.provision("argocd", "export", "--source", "local-registry")
        #expect(again.succeeded, "\(again)")
        #expect(again.standardOutput.contains("Pushed: nothing;"), "\(again)")
        #expect(again.standardOutput.contains(before), "\(again)")

        try "# changed\n".write(
            to: world.repository.appending(path: "k8s/README.local.md"), atomically: true, encoding: .utf8)
        let changed = try await world.provision("argocd", "export", "--source", "local-registry")
        #expect(changed.succeeded, "\(changed)")
        let after = try await Self.pull(registry, tag: "local").digest
        #expect(after != before)
        #expect(changed.standardOutput.contains(after), "\(changed)")
    }

    @Test("nothing answers at the registry's port: an error naming the address and how to start it")
    func registryDown() async throws {
        let world = try ArgoCDExportTests.gitWorld()
        world.environment["FAKE_CURL_REAL_PORTS"] = String(world.registryHostPort)
        let result = try await world.provision("argocd", "export", "--source", "local-registry")
        #expect(result.exitCode == ProvisionExit.code(for: .stepFailed).rawValue, "\(result)")
        #expect(result.standardError.contains("nothing answers at 127.0.0.1:\(world.registryHostPort)"), "\(result)")
        #expect(result.standardError.contains("provision up --backend kind"), "\(result)")
        // curl's own words, as the real curl prints them.
        #expect(result.standardError.contains("Failed to connect to 127.0.0.1 port \(world.registryHostPort)"), "\(result)")
    }

    @Test("the address is a pull-through cache: the registry's refusal and what it means")
    func pullThroughCacheRefuses() async throws {
        let world = try ArgoCDExportTests.gitWorld()
        world.environment["FAKE_CURL_REAL_PORTS"] = String(world.registryHostPort)
        let upstream = try await RealRegistry(port: try ListeningSocket.freePort())
        let cache = try await RealRegistry(port: world.registryHostPort, proxying: upstream.port)
        defer { withExtendedLifetime((upstream, cache)) {} }
        let result = try await world.provision("argocd", "export", "--source", "local-registry")
        #expect(result.exitCode == ProvisionExit.code(for: .stepFailed).rawValue, "\(result)")
        // distribution answers a push into a proxy 405 UNSUPPORTED (registry/proxy, handlers).
        #expect(result.standardError.contains("HTTP 405 (UNSUPPORTED: The operation is unsupported.)"), "\(result)")
        #expect(result.standardError.contains("it is a pull-through cache, not the local registry"), "\(result)")
    }

    @Test("--repo-url or --revision with --source local-registry is a usage error", arguments: [
        ["--repo-url", "https://git.example.org/x.git"], ["--revision", "main"],
    ])
    func gitFlagsRefused(_ flags: [String]) async throws {
        let world = try ArgoCDExportTests.gitWorld()
        let result = try await world.provision(
            "argocd", "export", "--source", "local-registry", flags[0], flags[1])
        #expect(result.exitCode == ProvisionExit.code(for: .usage).rawValue, "\(result)")
        #expect(result.standardError.contains("drop --repo-url and --revision"), "\(result)")
        #expect(world.calls(containing: "curl").isEmpty, "\(world.calls)")
    }
}
