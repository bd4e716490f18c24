import Foundation
import ProvisionCore
import Yams

/// An upstream manifest pinned by URL and content digest, read from a file under `k8s/`,
/// so `k8s/` stays the single source of truth for what is deployed, also for the parts
/// that come from elsewhere. A tag in a URL can be moved; the digest cannot.
///
/// The file is YAML with two keys besides comments:
/// ```yaml
/// url: https://example.org/deploy.yaml
/// sha256: <64 lowercase hex digits of the exact bytes>
/// ```
/// or, for several manifests applied together (CRDs from two projects), a list of them:
/// ```yaml
/// manifests:
///   - url: https://example.org/a.yaml
///     sha256: <…>
///   - url: https://example.org/b.yaml
///     sha256: <…>
/// ```
/// A manifest that sets no namespace (Argo CD's install.yaml, meant for `kubectl apply -n argocd`)
/// is given one by a third key, `namespace: <name>`: its namespaced objects that name none are
/// applied into it (kubectl's `-n`), as kustomize's `namespace:` would place them, without
/// touching the pinned bytes.
public struct ManifestPin: Sendable, Hashable {
    public var url: URL
    public var sha256: String
    /// Where the manifest's namespaced objects that name no namespace go; nil: kubectl's default.
    public var namespace: String?

    public init(url: URL, sha256: String, namespace: String? = nil) {
        self.url = url
        self.sha256 = sha256
        self.namespace = namespace
    }

    /// Reads and checks the pin file at `file`, which pins exactly one manifest.
    /// - Throws: ``Problem`` naming the file and what is wrong with it.
    public static func load(from file: URL) throws -> ManifestPin {
        let pins = try loadAll(from: file)
        guard pins.count == 1 else {
            throw Problem(
                problem: "\(file.path) pins \(pins.count) manifests where one is expected",
                fix: "keep a single `url:` and `sha256:` in it")
        }
        return pins[0]
    }

    /// Reads and checks the pin file at `file`: its one manifest, or its `manifests:` in order.
    /// - Throws: ``Problem`` naming the file and what is wrong with it.
    public static func loadAll(from file: URL) throws -> [ManifestPin] {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw Problem(
                problem: "cannot read the manifest pin \(file.path): \(error.localizedDescription)",
                fix: "restore the file from git (it names the upstream manifest's url and sha256)")
        }
        return try parseAll(text, file: file.path)
    }

    static func parseAll(_ text: String, file: String) throws -> [ManifestPin] {
        let fields = (try? Yams.load(yaml: text)) as? [String: Any]
        let namespace = try parseNamespace(fields?["namespace"], file: file)
        guard let list = fields?["manifests"] else { return [try parse(fields, namespace: namespace, file: file)] }
        guard let entries = list as? [[String: Any]], !entries.isEmpty else {
            throw Problem(
                problem: "\(file) has a `manifests:` that is not a list of `url:` and `sha256:` pairs",
                fix: "write each manifest as `- url: https://…` with its `sha256:` below it")
        }
        return try entries.map { try parse($0, namespace: namespace, file: file) }
    }

    /// The file's `namespace:`, a DNS label as Kubernetes names namespaces (RFC 1123), or nil.
    private static func parseNamespace(_ value: Any?, file: String) throws -> String? {
        guard let value else { return nil }
        guard let name = value as? String, (1...63).contains(name.count),
            name.wholeMatch(of: /[a-z0-9]([-a-z0-9]*[a-z0-9])?/) != nil
        else {
            throw Problem(
                problem: "\(file) has a `namespace:` that is not a namespace name",
                fix: "write `namespace: <name>` (lowercase letters, digits and dashes, at most 63), or remove it")
        }
        return name
    }

    private static func parse(_ fields: [String: Any]?, namespace: String?, file: String) throws -> ManifestPin {
        guard let address = fields?["url"] as? String, let url = URL(string: address),
            url.scheme == "https"
        else {
            throw Problem(
                problem: "\(file) has no `url:` with an https address",
                fix: "add `url: https://…` naming the exact upstream manifest (a release tag, never a branch)")
        }
        guard let digest = fields?["sha256"] as? String,
            digest.count == 64, digest.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else {
            throw Problem(
                problem: "\(file) has no `sha256:` of 64 lowercase hex digits",
                fix: "add the digest of the manifest's bytes: curl -fsSL \(address) | sha256sum")
        }
        return ManifestPin(url: url, sha256: digest, namespace: namespace)
    }

    /// Throws unless `body` is exactly the pinned content.
    public func verify(_ body: String, pinFile: String) throws {
        let actual = SHA256.hexDigest(of: body)
        guard actual == sha256 else {
            throw Problem(
                problem: "the manifest downloaded from \(url.absoluteString) has SHA-256 \(actual), "
                    + "but \(pinFile) pins \(sha256)",
                fix: "the content behind the pinned URL changed: review the new manifest, then update "
                    + "`sha256:` in \(pinFile) (or point `url:` at the release you reviewed)")
        }
    }
}

/// A pinned upstream manifest with its exact bytes, whose SHA-256 is the pin's.
public struct PinnedManifest: Sendable, Hashable {
    public var pin: ManifestPin
    public var body: String

    public init(pin: ManifestPin, body: String) {
        self.pin = pin
        self.body = body
    }
}
