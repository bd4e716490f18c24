import Components
import Foundation
import ProvisionCore
import Testing
import TestSupport

/// The plain-kubectl path of k8s/README.md ("With plain kubectl"), the commands that can run
/// without a cluster run here: the credentials survive a cluster recreation, and the Secrets
/// made from them carry what the stack expects.
@Suite("The plain-kubectl path in k8s/README.md")
struct PlainKubectlPathTests {
    static func codeLines() throws -> [String] { try MarkdownDocument(path: "k8s/README.md").codeLines }

    /// The shell lines that generate the kept credential files.
    static func generatingLines() throws -> [String] {
        try codeLines().filter { $0.contains(".data/credentials") && !$0.hasPrefix("kubectl ") }
    }

    static func runGeneration(in directory: URL, lines: [String]) async throws -> Shell.Outcome {
        try await Shell.run("sh", ["-euc", lines.joined(separator: "\n")], in: directory)
    }

    static func files(in directory: URL) throws -> [String: String] {
        let folder = directory.appending(path: ".data/credentials")
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try String(contentsOf: folder.appending(path: name), encoding: .utf8)
        }
        return files
    }

    @Test("the credentials are generated once and reused: a second run changes nothing")
    func credentialsAreKept() async throws {
        let lines = try Self.generatingLines()
        try #require(lines.count >= 4, "k8s/README.md no longer keeps the credentials in .data/credentials/")
        let scratch = try TemporaryDirectory("plain-kubectl")
        let first = try await Self.runGeneration(in: scratch.url, lines: lines)
        try #require(first.status == 0, "\(first)")
        let generated = try Self.files(in: scratch.url)
        #expect(Set(generated.keys) == ["postgres.env", "redis.env", "authentik.env"])
        let second = try await Self.runGeneration(in: scratch.url, lines: lines)
        #expect(second.status == 0, "\(second)")
        #expect(try Self.files(in: scratch.url) == generated, "a second run must keep the values")
        // .data/ is git-ignored, so the files never reach git.
        let ignored = try await Shell.run("git", ["-C", Repository.root.path, "check-ignore", "-q", ".data/credentials/postgres.env"])
        #expect(ignored.status == 0, ".data/credentials/ must be ignored by git")
    }

    @Test("the Secrets made from them have exactly the keys, literals and lengths provision generates")
    func secretsMatchTheComponents() async throws {
        let scratch = try TemporaryDirectory("plain-kubectl-secrets")
        let generation = try await Self.runGeneration(in: scratch.url, lines: try Self.generatingLines())
        try #require(generation.status == 0, "\(generation)")
        let creating = try Self.codeLines().filter { $0.hasPrefix("kubectl create secret generic ") }
        // Every Secret the built-in stack generates; a component a team adds later is not on
        // this path until it is documented.
        let specs = try BuiltInComponents.all().filter { !$0.isOptional }.flatMap(\.secrets)
        #expect(creating.count == specs.count)
        for line in creating {
            // The documented line, offline: a client-side dry run prints the Secret.
            let words = line.split(separator: " ").map(String.init)
            let outcome = try await Shell.run(words[0], Array(words.dropFirst()) + ["--dry-run=client", "-o", "json"], in: scratch.url)
            try #require(outcome.status == 0, "\(line): \(outcome)")
            let secret = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
            let metadata = secret["metadata"] as? [String: Any] ?? [:]
            let name = metadata["name"] as? String ?? ""
            let spec = try #require(specs.first { $0.name == name }, "\(line): no component generates Secret \(name)")
            #expect(metadata["namespace"] as? String == spec.namespace, "\(line)")
            let data = (secret["data"] as? [String: String] ?? [:]).mapValues {
                String(decoding: Data(base64Encoded: $0) ?? Data(), as: UTF8.self)
            }
            #expect(Set(data.keys) == Set(spec.keys.map(\.key)), "\(line): keys")
            for (key, value) in spec.keys {
                switch value {
                case .literal(let literal): #expect(data[key] == literal, "\(name) \(key)")
                case .random(let length): #expect(data[key]?.count == length, "\(name) \(key): \(data[key]?.count ?? 0) characters")
                }
            }
        }
    }

    /// The admission Jobs of the pinned ingress-nginx manifest delete themselves on completion
    /// (ttlSecondsAfterFinished: 0): `kubectl wait --for=condition=complete job --all` then finds
    /// nothing and exits 1, while `--for=delete` succeeds (kubectl's wait.go ignores "not found"
    /// for delete only).
    @Test("every documented wait on the ingress-nginx Jobs waits for their deletion")
    func jobWaitsUseDelete() throws {
        let pin = try Repository.read("k8s/components/edge-ingress-nginx/pins/nginx-ingress-controller.yaml").split(separator: "\n")
            .map { $0.drop(while: { $0 == "#" || $0 == " " }) }.map(String.init)
        let lines = try DocumentationSet.documents().flatMap { $0.codeLines + $0.codeSpans } + pin
        let waits = lines.filter { $0.hasPrefix("kubectl") && $0.contains(" wait ") && $0.contains("ingress-nginx") && $0.contains(" job") }
        #expect(waits.count >= 2, "expected the README and the pin file to show the wait: \(waits)")
        for wait in waits {
            #expect(wait.contains("--for=delete") && !wait.contains("condition=complete"), "\(wait)")
        }
    }
}
