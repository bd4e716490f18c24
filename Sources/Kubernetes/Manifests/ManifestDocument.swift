import Foundation
import ProvisionCore
import Yams

/// One Kubernetes object of a multi-document YAML stream, with its original text.
///
/// The text is kept verbatim (not re-serialised) so that what is applied and
/// digested is byte for byte what `kubectl kustomize` or the upstream file produced.
public struct ManifestDocument: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    /// `nil` for cluster-scoped objects or objects that rely on the default namespace.
    public var namespace: String?
    public var labels: [String: String]
    /// The document's YAML text, without the `---` separator, ending in a newline.
    public var text: String
    /// The container images its pod template names (containers, init containers), in order;
    /// empty for objects that run no pods.
    public var images: [String] = []

    /// The whole object, parsed again from ``text`` (for checks that look beyond metadata).
    public func object() throws -> [String: Any] {
        try Yams.load(yaml: text) as? [String: Any] ?? [:]
    }

    /// A Job the cluster deletes once it has finished (`spec.ttlSecondsAfterFinished`): absent
    /// later, it has done its work (Kubernetes' TTL-after-finished controller).
    public var removesItselfWhenFinished: Bool {
        kind == "Job" && ((try? object())?["spec"] as? [String: Any])?["ttlSecondsAfterFinished"] != nil
    }

    /// The object as kubectl applies it with `-n namespace`: a namespaced object whose text
    /// names no namespace is placed in `namespace` (its text is left as it is); a cluster-scoped
    /// one, or one that names its own, is unchanged. Which kinds are cluster-scoped:
    /// ``KubernetesDeployment/clusterScopedKinds``.
    public func placed(in namespace: String?) -> ManifestDocument {
        guard let namespace, self.namespace == nil, !KubernetesDeployment.isClusterScoped(kind) else { return self }
        var placed = self
        placed.namespace = namespace
        return placed
    }

    /// `Kind/name` or `Kind/namespace/name`, how errors and listings name the object.
    public var reference: String {
        if let namespace { return "\(kind)/\(namespace)/\(name)" }
        return "\(kind)/\(name)"
    }
}

/// Problems with a YAML stream that is supposed to hold Kubernetes objects.
public enum ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A document is not valid YAML or not a Kubernetes object (number is 1-based).
    case invalidDocument(number: Int, reason: String)
    /// Objects that carry no component label; each is named by ``ManifestDocument/reference``.
    case unlabelled([String], labelKey: String)

    public var description: String {
        switch self {
        case .invalidDocument(let number, let reason):
            return "document \(number) of the rendered manifests is not a Kubernetes object: \(reason)"
        case .unlabelled(let references, let labelKey):
            return """
                \(references.count) rendered object(s) carry no `\(labelKey)` label, so no component owns them:
                \(references.map { "  - \($0)" }.joined(separator: "\n"))
                  fix: add the label through the `labels:` field of the kustomization that renders them
                """
        }
    }
}

extension ManifestDocument {
    /// Splits a multi-document YAML stream into its objects, in stream order.
    /// Empty documents (only comments or blank lines) are dropped; `kind: List`
    /// documents are kept whole, as `kubectl apply` accepts them.
    public static func parseStream(_ yaml: String) throws -> [ManifestDocument] {
        ManifestWork.parsed()
        var documents: [ManifestDocument] = []
        for (index, chunk) in splitDocuments(yaml).enumerated() {
            let loaded: Any?
            do {
                loaded = try Yams.load(yaml: chunk)
            } catch {
                throw ManifestError.invalidDocument(number: index + 1, reason: "\(error)")
            }
            guard let loaded else { continue }  // comments only
            guard let object = loaded as? [String: Any] else {
                throw ManifestError.invalidDocument(number: index + 1, reason: "the top level is not a mapping")
            }
            documents.append(try ManifestDocument(object: object, text: chunk, number: index + 1))
        }
        return documents
    }

    /// Splits at `---` lines in column 0. In YAML such a line can only be a document
    /// marker (block scalars are indented and quoted scalars may not contain it).
    static func splitDocuments(_ yaml: String) -> [String] {
        var chunks: [String] = []
        var current: [Substring] = []
        func flush() {
            let text = current.joined(separator: "\n")
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                chunks.append(text.hasSuffix("\n") ? text : text + "\n")
            }
            current.removeAll()
        }
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed == "---" || trimmed.hasPrefix("--- ") || trimmed == "..." {
                flush()
            } else {
                current.append(line)
            }
        }
        flush()
        return chunks
    }

    init(object: [String: Any], text: String, number: Int) throws {
        func fail(_ reason: String) -> ManifestError { .invalidDocument(number: number, reason: reason) }
        guard let apiVersion = object["apiVersion"] as? String else { throw fail("no apiVersion") }
        guard let kind = object["kind"] as? String else { throw fail("no kind") }
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        let name = metadata["name"] as? String ?? ""
        if name.isEmpty && kind != "List" { throw fail("\(kind) has no metadata.name") }
        var labels: [String: String] = [:]
        for (key, value) in metadata["labels"] as? [String: Any] ?? [:] {
            labels[key] = value as? String ?? "\(value)"
        }
        self.init(
            apiVersion: apiVersion, kind: kind, name: name,
            namespace: metadata["namespace"] as? String, labels: labels, text: text,
            images: Self.images(in: object))
    }

    /// The images of the pod spec an object carries: a Pod's own, a workload's template, a
    /// CronJob's job template. Read from the object already parsed, so nothing is parsed twice.
    static func images(in object: [String: Any]) -> [String] {
        func field(_ value: Any?, _ key: String) -> Any? { (value as? [String: Any])?[key] }
        let spec = object["spec"]
        let podSpec: Any? = switch object["kind"] as? String {
        case "Pod": spec
        case "CronJob": field(field(field(field(spec, "jobTemplate"), "spec"), "template"), "spec")
        default: field(field(spec, "template"), "spec")
        }
        return ["initContainers", "containers"].flatMap { key in
            (field(podSpec, key) as? [[String: Any]] ?? []).compactMap { $0["image"] as? String }
        }
    }
}
