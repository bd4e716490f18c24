import Components
import Foundation
import Kubernetes
import ProvisionCore
import Testing
import TestSupport
import Yams

/// `provision argocd export`: what it writes, rendered with the real `kubectl kustomize` and
/// checked against the plan; the Application checked against Argo CD v3.5.1's own CRD schema;
/// the command end to end against the fake tools.
@Suite("argocd export")
struct ArgoCDExportTests {
    static let repoURL = "https://git.example.org/wrightnow/provision.git"

    /// The world's repository as a git checkout on branch `main` with one commit and, unless
    /// `remote` is nil, the remote `origin` (which a local `insteadOf` rewrites).
    static func gitWorld(remote: String? = repoURL) throws -> FakeWorld {
        let world = try FakeWorld()
        let git = ["git", "-C", world.repository.path, "-c", "user.name=test", "-c", "user.email=test@example.org"]
        var steps = [["init", "-q", "-b", "main"], ["add", "k8s"], ["commit", "-q", "-m", "stack"]]
        if let remote {
            steps.append(["remote", "add", "origin", remote])
            // This machine's rewrite is not the cluster's: the configured URL is what Argo CD gets.
            steps.append(["config", "url./srv/mirror/.insteadOf", "https://git.example.org/"])
        }
        for step in steps {
            let result = try ChildProcess.runBlocking(git + step)
            #expect(result.succeeded, "\(step): \(result)")
        }
        return world
    }

    /// `kubectl kustomize DIR` with the real kubectl, parsed.
    static func render(_ directory: URL, in world: FakeWorld) async throws -> [(document: ManifestDocument, object: [String: Any])] {
        let kubectl = try #require(world.environment["REAL_KUBECTL"])
        let result = try await ChildProcess.run([kubectl, "kustomize", directory.path], limit: 120)
        try #require(result.succeeded, "\(result)")
        return try ManifestDocument.parseStream(result.standardOutput).map { ($0, try $0.object()) }
    }

    static func annotations(_ object: [String: Any]) -> [String: String] {
        (object["metadata"] as? [String: Any])?["annotations"] as? [String: String] ?? [:]
    }

    /// The plan `export` follows by default, and each component's wave as `provision plan` numbers it.
    static func plan(with: Set<ComponentID> = []) throws -> (plan: Plan, wave: [ComponentID: Int]) {
        let catalog = StackCatalog.all.filter { $0.id != ArgoCDExport.argoCDComponent }
        let selected: Set<ComponentID>? = with.isEmpty ? nil : Set(catalog.filter { !$0.isOptional }.map(\.id)).union(with)
        let plan = try Plan(components: catalog, selecting: selected)
        let wave = Dictionary(uniqueKeysWithValues: plan.waves.enumerated().flatMap { index, wave in
            wave.map { ($0, index + 1) }
        })
        return (plan, wave)
    }

    // MARK: 1. Rendered against the plan

    @Test("every rendered object carries its component's plan wave, every edge goes up a wave, no Secret, vendored bytes match their pins",
          arguments: [[], ["authentik-redis"]] as [[String]])
    func renderedFollowsThePlan(with: [String]) async throws {
        let world = try Self.gitWorld()
        let outcome = try await InProcess(world: world).run(["argocd", "export"] + (with.isEmpty ? [] : ["--with"] + with))
        #expect(outcome.exitCode == 0, "\(outcome)")
        let output = world.repository.appending(path: "k8s/argocd/local")
        let rendered = try await Self.render(output, in: world)
        let (plan, planWave) = try Self.plan(with: Set(with.map { ComponentID($0) }))

        // Every object: its component's wave, as the plan numbers it.
        var annotated: [ComponentID: Set<String>] = [:]
        for (document, object) in rendered {
            let owner = try #require(document.labels[ComponentLabel.key], "\(document.reference) has no component label")
            let expected = try #require(planWave[ComponentID(owner)], "\(document.reference): \(owner) is not in the plan")
            let wave = Self.annotations(object)[ArgoCDExport.syncWaveAnnotation]
            #expect(wave == "\(expected)", "\(document.reference) of \(owner): sync-wave \(wave ?? "none"), plan wave \(expected)")
            annotated[ComponentID(owner), default: []].insert(wave ?? "none")
        }
        #expect(!rendered.contains { $0.document.kind == "Secret" }, "a Secret was rendered")

        // The components the overlay has something for, and nothing else (argocd never).
        var expectedComponents: Set<ComponentID> = ["namespaces", "storage", "local-registry", "postgres-pgvector", "redis",
                                                    "gateway-crds", "nginx-gateway-fabric", "edge", "authentik"]
        if !with.isEmpty { expectedComponents.insert("authentik-redis") }
        #expect(Set(annotated.keys) == expectedComponents)

        // Every edge between components with objects is an ordering: the dependency's wave is lower.
        // With the waves equal to the plan's, no ordering is added beyond the plan's.
        let waveOf = annotated.compactMapValues { $0.count == 1 ? Int($0.first!) : nil }
        #expect(waveOf.count == annotated.count, "a component's objects carry different waves: \(annotated)")
        for component in annotated.keys {
            for dependency in plan.dependencies(of: component) where annotated[dependency] != nil {
                #expect(waveOf[dependency]! < waveOf[component]!, "\(dependency) → \(component)")
            }
        }

        // Vendored files: the exact pinned bytes, listed in SHA256SUMS with their pins' digests.
        let sums = try String(contentsOf: output.appending(path: "SHA256SUMS"), encoding: .utf8)
        let listed = sums.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        var pinned: [String] = []
        for pinFile in ["gateway-crds.yaml", "nginx-gateway-fabric.yaml"] {
            let pins = try ManifestPin.loadAll(
                from: world.repository.appending(path: "k8s/components/edge-gateway-api/pins/\(pinFile)"))
            pinned += pins.map(\.sha256)
        }
        #expect(listed.map { String($0[0]) }.sorted() == pinned.sorted())
        for line in listed {
            let bytes = try String(contentsOf: output.appending(path: String(line[1])), encoding: .utf8)
            #expect(SHA256.hexDigest(of: bytes) == String(line[0]), "\(line[1])")
        }
        #expect(FileManager.default.fileExists(atPath: output.appending(path: "vendor/gateway-crds/1-standard-install.yaml").path))
        #expect(FileManager.default.fileExists(atPath: output.appending(path: "vendor/nginx-gateway-fabric/deploy.yaml").path))
    }

    @Test("a Job that deletes itself once finished is a Sync hook of its wave; nothing else is a hook",
          arguments: ["local", "local-ingress-nginx"])
    func selfDeletingJobsAreHooks(overlay: String) async throws {
        let world = try Self.gitWorld()
        let outcome = try await InProcess(world: world).run(["argocd", "export", "--overlay", overlay])
        #expect(outcome.exitCode == 0, "\(outcome)")
        let rendered = try await Self.render(world.repository.appending(path: "k8s/argocd/\(overlay)"), in: world)
        var hooks: [String] = []
        for (document, object) in rendered {
            let annotations = Self.annotations(object)
            let selfDeleting = document.kind == "Job" && (object["spec"] as? [String: Any])?["ttlSecondsAfterFinished"] != nil
            if selfDeleting {
                hooks.append(document.reference)
                for (key, value) in ArgoCDExport.syncHookAnnotations {
                    #expect(annotations[key] == value, "\(document.reference): \(key) is \(annotations[key] ?? "not set")")
                }
                #expect(annotations[ArgoCDExport.syncWaveAnnotation] != nil, "\(document.reference) lost its wave")
            } else {
                #expect(annotations["argocd.argoproj.io/hook"] == nil, "\(document.reference) is a hook")
            }
        }
        // NGINX Gateway Fabric's certificate Job (ttlSecondsAfterFinished: 30 at v2.6.7); with
        // ingress-nginx, its two admission Jobs (ttlSecondsAfterFinished: 0 at controller-v1.15.1).
        #expect(hooks.count == (overlay == "local" ? 1 : 2), "\(hooks)")
    }

    // MARK: 2. The Application against Argo CD's own schema

    static let crdFixture = "Tests/Fixtures/argocd/application-crd.yaml"

    /// The Application CRD's openAPIV3Schema as a JSON Schema, strict as the API server's
    /// field validation (`kubectl apply --validate=strict`): an object that lists its properties
    /// takes no others unless it preserves unknown fields; apiVersion and kind are the CRD's.
    static func strictSchema() throws -> Data {
        let crd = try #require(try Yams.load(yaml: Repository.read(crdFixture)) as? [String: Any])
        let spec = try #require(crd["spec"] as? [String: Any])
        let group = try #require(spec["group"] as? String)
        let kind = try #require((spec["names"] as? [String: Any])?["kind"] as? String)
        let versions = try #require(spec["versions"] as? [[String: Any]])
        #expect(versions.count == 1)
        let version = try #require(versions.first)
        let name = try #require(version["name"] as? String)
        var schema = try #require((version["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any])
        schema = strict(schema)
        var properties = try #require(schema["properties"] as? [String: Any])
        properties["apiVersion"] = ["const": "\(group)/\(name)"]
        properties["kind"] = ["const": kind]
        schema["properties"] = properties
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return try JSONSerialization.data(withJSONObject: schema, options: [.sortedKeys])
    }

    static func strict(_ node: Any) -> [String: Any] {
        guard var schema = node as? [String: Any] else { return [:] }
        if var properties = schema["properties"] as? [String: Any] {
            for (key, value) in properties { properties[key] = strict(value) }
            schema["properties"] = properties
            if schema["additionalProperties"] == nil, schema["x-kubernetes-preserve-unknown-fields"] as? Bool != true {
                schema["additionalProperties"] = false
            }
        }
        if let items = schema["items"] { schema["items"] = strict(items) }
        if let additional = schema["additionalProperties"] as? [String: Any] {
            schema["additionalProperties"] = strict(additional)
        }
        return schema
    }

    static func validate(_ application: String, schema: URL, in directory: URL) async throws -> ProcessResult {
        let file = directory.appending(path: "application-\(UUID().uuidString.prefix(8)).yaml")
        try application.write(to: file, atomically: true, encoding: .utf8)
        return try await ChildProcess.run(["check-jsonschema", "--schemafile", schema.path, file.path], limit: 120)
    }

    @Test("the fixture is the Application CRD of the pinned v3.5.1 install manifest, byte for byte")
    func fixtureIsThePinnedCRD() throws {
        let text = try Repository.read(Self.crdFixture)
        let header = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("#") }
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(header.count)
            .joined(separator: "\n")
        #expect(SHA256.hexDigest(of: body) == "5dde0e229249b6b707beb98674c1deae3949d5c319a6c45b9f5a80c99618e40c")
        let comment = header.joined(separator: "\n")
        #expect(comment.contains("795a3a972224da6a7f9d32c3e946445f062b60fb46028476715affeb688236e3"))
        #expect(comment.contains("https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml"))
        #expect(body.contains("name: applications.argoproj.io"))
    }

    @Test("the generated Application passes the CRD's openAPIV3Schema, strictly; a broken one is refused")
    func applicationMatchesTheCRD() async throws {
        let world = try Self.gitWorld()
        let outcome = try await world.run("argocd", "export", "--overlay", "cluster", "--revision", "v0.2.0")
        #expect(outcome.exitCode == 0, "\(outcome)")
        let application = try String(
            contentsOf: world.repository.appending(path: "k8s/argocd/cluster/application.yaml"), encoding: .utf8)
        let schema = world.root.appending(path: "application-schema.json")
        try Self.strictSchema().write(to: schema)

        let valid = try await Self.validate(application, schema: schema, in: world.root)
        #expect(valid.succeeded, "\(valid)")
        let object = try #require(try Yams.load(yaml: application) as? [String: Any])
        let spec = try #require(object["spec"] as? [String: Any])
        let source = try #require(spec["source"] as? [String: String])
        #expect(source == ["repoURL": Self.repoURL, "targetRevision": "v0.2.0", "path": "k8s/argocd/cluster"])
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["name"] as? String == "wrightnow-cluster")
        #expect(metadata["namespace"] as? String == "argocd")
        #expect((metadata["labels"] as? [String: String])?["wrightnow/handed-over-by"] == "provision")

        let broken = [
            "no destination": application.replacingOccurrences(
                of: "  destination:\n    server: https://kubernetes.default.svc\n", with: ""),
            "prune as a word": application.replacingOccurrences(of: "prune: true", with: "prune: \"yes\""),
            "an unknown field": application.replacingOccurrences(of: "  project: default\n", with: "  project: default\n  projekt: x\n"),
            "another kind": application.replacingOccurrences(of: "kind: Application\n", with: "kind: ApplicationSet\n"),
        ]
        for (what, text) in broken {
            #expect(text != application, "\(what): the replacement found nothing")
            let result = try await Self.validate(text, schema: schema, in: world.root)
            #expect(!result.succeeded, "\(what) was accepted: \(result)")
        }
    }

    // MARK: 3. End to end

    @Test("end to end: the files appear, the next steps are printed, the render works")
    func endToEnd() async throws {
        let world = try Self.gitWorld()
        let result = try await world.provision("argocd", "export")
        #expect(result.succeeded, "\(result)")
        let output = world.repository.appending(path: "k8s/argocd/local")
        for file in ["kustomization.yaml", "application.yaml", "SHA256SUMS", "vendor/gateway-crds/kustomization.yaml",
                     "vendor/gateway-crds/2-crds.yaml", "vendor/nginx-gateway-fabric/kustomization.yaml"] {
            #expect(FileManager.default.fileExists(atPath: output.appending(path: file).path), "\(file) is missing")
        }
        #expect(result.standardOutput.contains("kubectl apply -f k8s/argocd/local/application.yaml"), "\(result)")
        #expect(result.standardOutput.contains("git add k8s/argocd/local"), "\(result)")
        #expect(result.standardOutput.contains("Source: \(Self.repoURL) at main, path k8s/argocd/local"), "\(result)")
        let kustomization = try String(contentsOf: output.appending(path: "kustomization.yaml"), encoding: .utf8)
        #expect(kustomization.contains("  - ../../overlays/local\n"))
        #expect(!kustomization.contains("argocd/"), "no argocd component")
        _ = try await Self.render(output, in: world)
        // The fake tools saw renders and downloads only: no cluster call.
        #expect(world.calls(containing: "--context").isEmpty, "\(world.calls)")

        // Again: the directory is its own, rewritten.
        let again = try await world.provision("argocd", "export")
        #expect(again.succeeded, "\(again)")
    }

    @Test("a repository without a remote is a usage error that says how to fix it")
    func missingRemote() async throws {
        let world = try Self.gitWorld(remote: nil)
        let result = try await world.provision("argocd", "export")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.standardError.contains("has no remote `origin`"), "\(result)")
        #expect(result.standardError.contains("--repo-url"), "\(result)")
        #expect(result.standardError.contains("git remote add origin URL"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: world.repository.appending(path: "k8s/argocd").path))
    }

    @Test("--output elsewhere in the repository: paths computed from there; outside it refused")
    func outputElsewhere() async throws {
        let world = try Self.gitWorld(remote: nil)
        let result = try await world.provision(
            "argocd", "export", "--repo-url", Self.repoURL, "--output", "deploy/argocd", "--revision", "release")
        #expect(result.succeeded, "\(result)")
        let output = world.repository.appending(path: "deploy/argocd")
        let kustomization = try String(contentsOf: output.appending(path: "kustomization.yaml"), encoding: .utf8)
        #expect(kustomization.contains("  - ../../k8s/overlays/local\n"), "\(kustomization)")
        let application = try String(contentsOf: output.appending(path: "application.yaml"), encoding: .utf8)
        #expect(application.contains("    path: \"deploy/argocd\"\n"), "\(application)")
        #expect(application.contains("    targetRevision: \"release\"\n"), "\(application)")
        let rendered = try await Self.render(output, in: world)
        #expect(rendered.allSatisfy { Self.annotations($0.object)[ArgoCDExport.syncWaveAnnotation] != nil })

        let outside = try await world.provision(
            "argocd", "export", "--repo-url", Self.repoURL, "--output", world.root.appending(path: "elsewhere").path)
        #expect(outside.exitCode == 2, "\(outside)")
        #expect(outside.standardError.contains("outside the repository"), "\(outside)")

        try "mine\n".write(to: world.repository.appending(path: "notes.txt"), atomically: true, encoding: .utf8)
        let foreign = try await world.provision("argocd", "export", "--repo-url", Self.repoURL, "--output", ".")
        #expect(foreign.exitCode == 2, "\(foreign)")
        #expect(foreign.standardError.contains("did not write"), "\(foreign)")
    }

    @Test("the argocd component is refused in --with")
    func argoCDNeverIncluded() async throws {
        let world = try Self.gitWorld()
        let outcome = try await world.run("argocd", "export", "--with", "argocd")
        #expect(outcome.exitCode == 2, "\(outcome)")
        #expect(outcome.standardError.contains("Argo CD does not manage itself"), "\(outcome)")
    }
}
