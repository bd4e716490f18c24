import Foundation
import Yams

/// One rendered Kubernetes object, read-only views over its YAML tree.
///
/// The tree is an immutable `[String: Any]` from Yams; it is never mutated after parsing,
/// which is why sharing it across concurrent tests is safe.
struct KubeObject: @unchecked Sendable, CustomStringConvertible {
    let raw: [String: Any]

    init(_ raw: [String: Any]) { self.raw = raw }

    /// Parses a multi-document YAML stream, skipping empty documents.
    static func parseAll(_ yaml: String) throws -> [KubeObject] {
        var documents = try Yams.load_all(yaml: yaml)
        var objects: [KubeObject] = []
        while let document = documents.next() {
            if let object = document as? [String: Any] { objects.append(KubeObject(object)) }
        }
        if let error = documents.error { throw error }
        return objects
    }

    var kind: String { Tree.string(raw["kind"]) ?? "" }
    var apiVersion: String { Tree.string(raw["apiVersion"]) ?? "" }
    var metadata: [String: Any] { Tree.dictionary(raw["metadata"]) }
    var name: String { Tree.string(metadata["name"]) ?? "" }
    var namespace: String? { Tree.string(metadata["namespace"]) }
    var labels: [String: String] { Tree.stringDictionary(metadata["labels"]) }
    var annotations: [String: String] { Tree.stringDictionary(metadata["annotations"]) }
    var spec: [String: Any] { Tree.dictionary(raw["spec"]) }
    var data: [String: Any] { Tree.dictionary(raw["data"]) }
    var description: String { [kind, namespace, name].compactMap { $0 }.joined(separator: "/") }

    func value(at path: String) -> Any? { Tree.value(raw, at: path) }

    /// A copy with one value replaced (or removed, for `nil`): how the tests build the
    /// deliberately broken objects that prove each check can fail.
    func setting(_ path: String, to newValue: Any?) -> KubeObject {
        KubeObject(Tree.setting(raw, at: path, to: newValue) as? [String: Any] ?? raw)
    }

    // MARK: Workloads

    /// The pod template of a workload, or the spec of a bare Pod.
    var podTemplate: [String: Any]? {
        switch kind {
        case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
            return Tree.dictionary(spec["template"])
        case "CronJob":
            return Tree.dictionary(value(at: "spec.jobTemplate.spec.template"))
        case "Pod":
            return raw
        default:
            return nil
        }
    }

    var isWorkload: Bool { podTemplate != nil }
    /// Jobs and CronJobs run to completion; liveness/readiness probes do not apply.
    var runsToCompletion: Bool { kind == "Job" || kind == "CronJob" }
    var podSpec: [String: Any] { Tree.dictionary(podTemplate?["spec"]) }
    var podLabels: [String: String] { Tree.stringDictionary(Tree.dictionary(podTemplate?["metadata"])["labels"]) }
    var podAnnotations: [String: String] {
        Tree.stringDictionary(Tree.dictionary(podTemplate?["metadata"])["annotations"])
    }
    var replicas: Int { Tree.int(spec["replicas"]) ?? 1 }

    /// Init containers and regular containers, each with a label for messages.
    var containers: [Container] {
        let initContainers = Tree.array(podSpec["initContainers"]).map { Container(Tree.dictionary($0), isInit: true) }
        let regular = Tree.array(podSpec["containers"]).map { Container(Tree.dictionary($0), isInit: false) }
        return initContainers + regular
    }

    var volumes: [[String: Any]] { Tree.array(podSpec["volumes"]).map(Tree.dictionary) }
    var volumeClaimTemplateNames: [String] {
        Tree.array(spec["volumeClaimTemplates"]).compactMap { Tree.string(Tree.dictionary(Tree.dictionary($0)["metadata"])["name"]) }
    }
}

/// A container of a pod template.
struct Container: @unchecked Sendable {
    let raw: [String: Any]
    let isInit: Bool

    init(_ raw: [String: Any], isInit: Bool) {
        self.raw = raw
        self.isInit = isInit
    }

    var name: String { Tree.string(raw["name"]) ?? "" }
    var image: String { Tree.string(raw["image"]) ?? "" }
    var command: [String] { Tree.array(raw["command"]).compactMap(Tree.string) }
    var args: [String] { Tree.array(raw["args"]).compactMap(Tree.string) }
    var env: [[String: Any]] { Tree.array(raw["env"]).map(Tree.dictionary) }
    var envFrom: [[String: Any]] { Tree.array(raw["envFrom"]).map(Tree.dictionary) }
    var ports: [[String: Any]] { Tree.array(raw["ports"]).map(Tree.dictionary) }
    var volumeMounts: [[String: Any]] { Tree.array(raw["volumeMounts"]).map(Tree.dictionary) }
    var resources: [String: Any] { Tree.dictionary(raw["resources"]) }
    var securityContext: [String: Any] { Tree.dictionary(raw["securityContext"]) }
    func probe(_ kind: String) -> [String: Any]? { raw[kind] as? [String: Any] }

    /// The exec command of a probe, e.g. `probe("readinessProbe")`.
    func probeCommand(_ kind: String) -> [String]? {
        guard let exec = probe(kind)?["exec"] as? [String: Any] else { return nil }
        return Tree.array(exec["command"]).compactMap(Tree.string)
    }
}

/// Helpers to read Yams' `Any` trees, whose scalars may be String, Int, Double or Bool.
enum Tree {
    static func dictionary(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }
    static func array(_ value: Any?) -> [Any] { value as? [Any] ?? [] }

    static func string(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string
        case let int as Int: return String(int)
        case let double as Double: return String(double)
        case let bool as Bool: return bool ? "true" : "false"
        default: return nil
        }
    }

    static func int(_ value: Any?) -> Int? {
        switch value {
        case let int as Int: return int
        case let string as String: return Int(string)
        default: return nil
        }
    }

    static func bool(_ value: Any?) -> Bool? { value as? Bool }

    static func stringDictionary(_ value: Any?) -> [String: String] {
        dictionary(value).compactMapValues { string($0) }
    }

    /// Dotted path; numeric segments index arrays: `spec.template.spec.containers.0.image`.
    static func value(_ root: Any, at path: String) -> Any? {
        var current: Any? = root
        for segment in path.split(separator: ".").map(String.init) {
            if let index = Int(segment), let list = current as? [Any] {
                current = list.indices.contains(index) ? list[index] : nil
            } else {
                current = (current as? [String: Any])?[segment]
            }
        }
        return current
    }

    static func setting(_ root: Any, at path: String, to newValue: Any?) -> Any {
        let segments = path.split(separator: ".").map(String.init)
        return setting(root, segments[...], to: newValue)
    }

    private static func setting(_ node: Any, _ segments: ArraySlice<String>, to newValue: Any?) -> Any {
        guard let segment = segments.first else { return newValue as Any }
        let rest = segments.dropFirst()
        if let index = Int(segment), var list = node as? [Any], list.indices.contains(index) {
            if rest.isEmpty, newValue == nil {
                list.remove(at: index)
            } else {
                list[index] = setting(list[index], rest, to: newValue)
            }
            return list
        }
        var dictionary = node as? [String: Any] ?? [:]
        if rest.isEmpty {
            dictionary[segment] = newValue
        } else {
            dictionary[segment] = setting(dictionary[segment] ?? [String: Any](), rest, to: newValue)
        }
        return dictionary
    }
}
