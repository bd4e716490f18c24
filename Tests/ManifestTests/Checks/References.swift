import TestSupport

/// Every ConfigMap, Secret key and PersistentVolumeClaim a pod uses must be rendered, or
/// (Secrets only) documented in a secrets.example.yaml as created at deploy time.
enum References {
    /// A Secret that `provision` creates at deploy time, as documented in k8s/.
    struct DocumentedSecret: Hashable, Sendable {
        var namespace: String
        var name: String
        var keys: Set<String>
    }

    static func problems(in objects: [KubeObject], documentedSecrets: [DocumentedSecret]) -> [String] {
        var problems: [String] = []
        for workload in objects where workload.isWorkload {
            let namespace = workload.namespace ?? "default"
            func configMap(_ name: String) -> KubeObject? {
                objects.first { $0.kind == "ConfigMap" && $0.name == name && $0.namespace == namespace }
            }
            func secretKeys(_ name: String) -> Set<String>? {
                if let rendered = objects.first(where: { $0.kind == "Secret" && $0.name == name && $0.namespace == namespace }) {
                    return Set(rendered.data.keys).union(Tree.dictionary(rendered.raw["stringData"]).keys)
                }
                return documentedSecrets.first { $0.name == name && $0.namespace == namespace }?.keys
            }
            func checkConfigMapKey(_ name: String, _ key: String?, _ context: String) {
                guard let map = configMap(name) else {
                    problems.append("\(workload) \(context): ConfigMap \(name) is not rendered in \(namespace)")
                    return
                }
                if let key, map.data[key] == nil, Tree.dictionary(map.raw["binaryData"])[key] == nil {
                    problems.append("\(workload) \(context): ConfigMap \(name) has no key \(key)")
                }
            }
            func checkSecretKey(_ name: String, _ key: String?, _ context: String) {
                guard let keys = secretKeys(name) else {
                    problems.append("\(workload) \(context): Secret \(name) is neither rendered nor documented in a secrets.example.yaml")
                    return
                }
                if let key, !keys.contains(key) {
                    problems.append("\(workload) \(context): Secret \(name) has no key \(key) (rendered or documented)")
                }
            }

            let volumeNames = Set(workload.volumes.compactMap { Tree.string($0["name"]) })
                .union(workload.volumeClaimTemplateNames)
            for volume in workload.volumes {
                let volumeName = Tree.string(volume["name"]) ?? "?"
                if let source = volume["configMap"] as? [String: Any], Tree.bool(source["optional"]) != true {
                    let items = Tree.array(source["items"]).compactMap { Tree.string(Tree.dictionary($0)["key"]) }
                    let name = Tree.string(source["name"]) ?? ""
                    if items.isEmpty { checkConfigMapKey(name, nil, "volume \(volumeName)") }
                    items.forEach { checkConfigMapKey(name, $0, "volume \(volumeName)") }
                }
                if let source = volume["secret"] as? [String: Any], Tree.bool(source["optional"]) != true {
                    let items = Tree.array(source["items"]).compactMap { Tree.string(Tree.dictionary($0)["key"]) }
                    let name = Tree.string(source["secretName"]) ?? ""
                    if items.isEmpty { checkSecretKey(name, nil, "volume \(volumeName)") }
                    items.forEach { checkSecretKey(name, $0, "volume \(volumeName)") }
                }
                if let claim = Tree.string(Tree.value(volume, at: "persistentVolumeClaim.claimName")),
                   !objects.contains(where: { $0.kind == "PersistentVolumeClaim" && $0.name == claim && $0.namespace == namespace }) {
                    problems.append("\(workload) volume \(volumeName): PersistentVolumeClaim \(claim) is not rendered in \(namespace)")
                }
            }
            for container in workload.containers {
                let context = "container \(container.name)"
                for variable in container.env {
                    let variableName = Tree.string(variable["name"]) ?? "?"
                    if let ref = Tree.value(variable, at: "valueFrom.configMapKeyRef") as? [String: Any],
                       Tree.bool(ref["optional"]) != true {
                        checkConfigMapKey(Tree.string(ref["name"]) ?? "", Tree.string(ref["key"]) ?? "", "\(context) env \(variableName)")
                    }
                    if let ref = Tree.value(variable, at: "valueFrom.secretKeyRef") as? [String: Any],
                       Tree.bool(ref["optional"]) != true {
                        checkSecretKey(Tree.string(ref["name"]) ?? "", Tree.string(ref["key"]) ?? "", "\(context) env \(variableName)")
                    }
                }
                for source in container.envFrom {
                    if let ref = source["configMapRef"] as? [String: Any], Tree.bool(ref["optional"]) != true {
                        checkConfigMapKey(Tree.string(ref["name"]) ?? "", nil, "\(context) envFrom")
                    }
                    if let ref = source["secretRef"] as? [String: Any], Tree.bool(ref["optional"]) != true {
                        checkSecretKey(Tree.string(ref["name"]) ?? "", nil, "\(context) envFrom")
                    }
                }
                for mount in container.volumeMounts {
                    let name = Tree.string(mount["name"]) ?? ""
                    if !volumeNames.contains(name) {
                        problems.append("\(workload) \(context) mounts volume \(name), which the pod does not define")
                    }
                }
            }
        }
        return problems
    }

    /// Reads every `secrets.example.yaml` under k8s/: the Secrets created at deploy time.
    static func documentedSecrets() throws -> [DocumentedSecret] {
        try Repository.k8sFiles(named: "secrets.example.yaml").flatMap { file in
            try KubeObject.parseAll(String(contentsOf: file, encoding: .utf8))
                .filter { $0.kind == "Secret" }
                .map { secret in
                    DocumentedSecret(
                        namespace: secret.namespace ?? "default", name: secret.name,
                        keys: Set(secret.data.keys).union(Tree.dictionary(secret.raw["stringData"]).keys))
                }
        }
    }
}
