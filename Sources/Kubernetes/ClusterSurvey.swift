import Foundation
import ProcessRunning
import ProvisionCore

/// One look at the cluster for the whole stack: a server-side `kubectl diff` of every
/// component's rendered objects, and one `kubectl get` of every labelled workload.
extension KubernetesDeployment {
    public func survey(_ releases: [ComponentRelease]) async throws -> [ComponentID: ComponentSurvey] {
        let owned = releases.filter { !$0.isEmpty }.map { (id: $0.id, objects: $0.renderedObjects) }
        guard !owned.isEmpty else { return [:] }
        // One diff per namespace kubectl is told (`-n`): objects whose text names none are
        // diffed where they were applied (a pin's `namespace:`); the rest of the stack at once.
        var look = DiffLook(sections: [])
        var namespaces: [String?] = []
        for (_, objects) in owned where !namespaces.contains(objects.namespace) { namespaces.append(objects.namespace) }
        for namespace in namespaces {
            let objects = owned.filter { $0.objects.namespace == namespace }.flatMap(\.objects.documents)
            let part = try await kubectl.serverSideDiff(of: objects, namespace: namespace)
            look.sections += part.sections
            look.inMissingNamespaces.formUnion(part.inMissingNamespaces)
        }
        // Only the kinds the stack holds: a cluster without the Gateway API CRDs (the
        // ingress-nginx edge) refuses `get gateways` and would fail the whole call.
        let checks = owned.flatMap { $0.objects.checks.compactMap { $0 } }
        let workloads = try await kubectl.labelledWorkloads(label: ComponentLabel.key, resources: LabelledWorkloads.resources(for: checks))

        var surveys: [ComponentID: ComponentSurvey] = [:]
        for (id, objects) in owned {
            var survey = ComponentSurvey(ready: true)
            for (object, check) in zip(objects.documents, objects.checks) {
                let file = Self.diffFileSuffix(object)
                if look.inMissingNamespaces.contains(object) {
                    survey.missing.append(object.reference)
                } else if let section = look.sections.first(where: { $0.file.hasSuffix(file) }) {
                    if section.isNewObject {
                        // A Job gone by its ttlSecondsAfterFinished has run (readiness counts it
                        // done); its absence is no drift. A changed Job changes the digest.
                        if !object.removesItselfWhenFinished { survey.missing.append(object.reference) }
                    } else {
                        survey.drifted.append(DriftedObject(reference: object.reference, fields: section.changedFields))
                    }
                }
                if let check, let problem = workloads.problem(with: check) {
                    survey.ready = false
                    survey.notReady.append(problem)
                }
            }
            surveys[id] = survey
        }
        return surveys
    }

    /// How `kubectl diff` names an object's file: `[group.]version.Kind.namespace.name`
    /// (kubectl pkg/cmd/diff/diff.go, InfoObject.Name); namespace empty when cluster-scoped.
    static func diffFileSuffix(_ object: ManifestDocument) -> String {
        ".\(object.kind).\(object.namespace ?? (isClusterScoped(object.kind) ? "" : "default")).\(object.name)"
    }

    /// Kinds without a namespace, among those a stack's manifests hold.
    static let clusterScopedKinds: Set<String> = [
        "Namespace", "StorageClass", "ClusterRole", "ClusterRoleBinding", "IngressClass",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "PersistentVolume",
        "CustomResourceDefinition", "PriorityClass", "GatewayClass", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    ]

    static func isClusterScoped(_ kind: String) -> Bool { clusterScopedKinds.contains(kind) }
}

/// One object's section of `kubectl diff` output (diff -u -N of the live and merged files).
struct DiffSection: Sendable {
    var file: String
    var lines: [String]

    /// The live side was empty: the cluster does not have the object (`@@ -0,0 +1,N @@`).
    var isNewObject: Bool { lines.contains { $0.hasPrefix("@@ -0,0 ") } }

    /// The keys of the lines the apply would change: `replicas`, `image`.
    var changedFields: [String] {
        var fields: [String] = []
        for line in lines where (line.hasPrefix("+") || line.hasPrefix("-")) && !line.hasPrefix("+++") && !line.hasPrefix("---") {
            let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
            let key = body.hasPrefix("- ") ? String(body.dropFirst(2)) : body
            let name = key.split(separator: ":", maxSplits: 1).first.map(String.init) ?? key
            if !name.isEmpty, !fields.contains(name) { fields.append(name) }
        }
        return fields
    }

    /// Splits `kubectl diff` output at its `diff -u -N LIVE MERGED` lines.
    static func parse(_ output: String) -> [DiffSection] {
        var sections: [DiffSection] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("diff ") {
                let file = line.split(separator: " ").last.map { String($0.split(separator: "/").last ?? "") } ?? ""
                sections.append(DiffSection(file: file, lines: []))
            } else if !sections.isEmpty {
                sections[sections.count - 1].lines.append(line)
            }
        }
        return sections
    }
}

/// The labelled workloads and namespaces as `kubectl get -o json` printed them.
/// Read-only after parsing, hence unchecked.
struct LabelledWorkloads: @unchecked Sendable {
    /// `Kind/namespace/name` (or `Namespace/name`) to the object.
    var objects: [String: [String: Any]]

    /// The resource types `kubectl get` must list to answer `checks`: the workloads and
    /// namespaces always, the objects controllers report on (gateways…) when checked.
    static func resources(for checks: [ReadinessCheck]) -> [String] {
        var resources = ["deployments", "statefulsets", "daemonsets", "jobs", "namespaces"]
        for check in checks {
            let resource: String? =
                switch check {
                case .conditionTrue(let resource, _, _, _), .routeAttached(let resource, _, _): resource
                default: nil
                }
            if let resource, !resources.contains(resource) { resources.append(resource) }
        }
        return resources
    }

    /// The object of kubectl's `resource` type (`gateway`) called `name`, by its kind's name.
    private func object(resource: String, name: String, namespace: String?) -> [String: Any]? {
        objects.first { key, object in
            let metadata = object["metadata"] as? [String: Any] ?? [:]
            return (object["kind"] as? String)?.lowercased() == resource && metadata["name"] as? String == name
                && metadata["namespace"] as? String == namespace
        }?.value
    }

    private static func isTrue(_ type: String, in conditions: Any?) -> Bool {
        (conditions as? [[String: Any]] ?? []).contains { $0["type"] as? String == type && $0["status"] as? String == "True" }
    }

    /// Why the workload of `check` is not ready, or nil when it is.
    func problem(with check: ReadinessCheck) -> String? {
        switch check {
        case .conditionTrue(let resource, let name, let namespace, let condition):
            let reference = "\(resource)/\(namespace.map { "\($0)/" } ?? "")\(name)"
            guard let object = object(resource: resource, name: name, namespace: namespace) else { return "\(reference) is missing" }
            let status = object["status"] as? [String: Any] ?? [:]
            return Self.isTrue(condition, in: status["conditions"]) ? nil : "\(reference) is not \(condition)"
        case .routeAttached(let resource, let name, let namespace):
            let reference = "\(resource)/\(namespace)/\(name)"
            guard let object = object(resource: resource, name: name, namespace: namespace) else { return "\(reference) is missing" }
            let parent = ((object["status"] as? [String: Any])?["parents"] as? [[String: Any]])?.first
            let attached = Self.isTrue("Accepted", in: parent?["conditions"]) && Self.isTrue("ResolvedRefs", in: parent?["conditions"])
            return attached ? nil : "\(reference) is not accepted by its Gateway with its backends resolved"
        case .namespaceActive(let name):
            guard let object = objects["Namespace/\(name)"] else { return "Namespace/\(name) is missing" }
            let phase = (object["status"] as? [String: Any])?["phase"] as? String
            return phase == "Active" ? nil : "Namespace/\(name) is \(phase ?? "unknown")"
        case .jobCompleted(let name, let namespace):
            // A Job removed by its TTL after finishing is done (ingress-nginx's admission Jobs).
            guard let object = objects["Job/\(namespace)/\(name)"] else { return nil }
            let conditions = (object["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
            let complete = conditions.contains { $0["type"] as? String == "Complete" && $0["status"] as? String == "True" }
            return complete ? nil : "Job/\(namespace)/\(name) has not completed"
        case .rolledOut(let kind, let name, let namespace):
            let kindName = ["deployment": "Deployment", "statefulset": "StatefulSet", "daemonset": "DaemonSet"][kind.rawValue]!
            guard let object = objects["\(kindName)/\(namespace)/\(name)"] else {
                return "\(kindName)/\(namespace)/\(name) is missing"
            }
            return Self.rolloutProblem(object, reference: "\(kindName)/\(namespace)/\(name)")
        }
    }

    /// The conditions `kubectl rollout status` waits for (kubectl pkg/polymorphichelpers/rollout_status.go),
    /// read from one snapshot instead of watched.
    static func rolloutProblem(_ object: [String: Any], reference: String) -> String? {
        let spec = object["spec"] as? [String: Any] ?? [:]
        let status = object["status"] as? [String: Any] ?? [:]
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        let generation = metadata["generation"] as? Int ?? 0
        if let observed = status["observedGeneration"] as? Int, observed < generation {
            return "\(reference): the controller has not seen the latest change yet"
        }
        let kind = object["kind"] as? String
        if kind == "DaemonSet" {
            let desired = status["desiredNumberScheduled"] as? Int ?? 0
            let updated = status["updatedNumberScheduled"] as? Int ?? 0
            let available = status["numberAvailable"] as? Int ?? 0
            return updated >= desired && available >= desired ? nil : "\(reference): \(available) of \(desired) pods ready"
        }
        let replicas = spec["replicas"] as? Int ?? 1
        let updated = status["updatedReplicas"] as? Int ?? 0
        let ready = (kind == "StatefulSet" ? status["readyReplicas"] : status["availableReplicas"]) as? Int ?? 0
        return updated >= replicas && ready >= replicas ? nil : "\(reference): \(ready) of \(replicas) replicas ready"
    }
}

/// What one look with `kubectl diff` tells of a stack's objects.
struct DiffLook: Sendable {
    var sections: [DiffSection]
    /// Objects in namespaces the cluster does not have (yet): not diffed, missing.
    var inMissingNamespaces: Set<ManifestDocument> = []
}

extension Kubectl {
    /// The server-side diff of `objects`. The API server refuses to dry-run an object into a
    /// namespace that does not exist (`Error from server (NotFound): namespaces "X" not found`,
    /// its NamespaceLifecycle admission), and `kubectl diff` stops at the first such object
    /// with exit 2 and no diff at all. On a cluster without the stack's namespaces yet (a
    /// first run, a cluster made again) those objects are missing, and the rest is diffed
    /// without them, so one new namespace does not hide what the others hold.
    /// - Parameter namespace: where objects that name no namespace were applied (`-n`).
    func serverSideDiff(of objects: [ManifestDocument], namespace: String? = nil) async throws -> DiffLook {
        do {
            return DiffLook(sections: try await serverSideDiff(Self.stream(objects), namespace: namespace))
        } catch let error as CommandError {
            guard case .namespaceMissing = KubectlRefusal.read(error.combinedOutput) else { throw error }
            let existing = try await namespaceNames()
            let unreachable = objects.filter {
                !KubernetesDeployment.isClusterScoped($0.kind) && !existing.contains($0.namespace ?? "default")
            }
            // The namespace is there after all (created meanwhile): the error is not explained.
            guard !unreachable.isEmpty else { throw error }
            let reachable = objects.filter { !unreachable.contains($0) }
            return DiffLook(
                sections: reachable.isEmpty ? [] : try await serverSideDiff(Self.stream(reachable), namespace: namespace),
                inMissingNamespaces: Set(unreachable))
        }
    }

    private static func stream(_ objects: [ManifestDocument]) -> String {
        objects.map(\.text).joined(separator: "---\n")
    }

    /// The cluster's namespaces, from `kubectl get namespaces -o name` (`namespace/NAME` lines).
    func namespaceNames() async throws -> Set<String> {
        let output = try await runner.run(clusterCommand(["get", "namespaces", "-o", "name"], timeout: .seconds(60)))
        return Set(output.standardOutput.split(separator: "\n").compactMap { line in
            line.hasPrefix("namespace/") ? String(line.dropFirst("namespace/".count)) : nil
        })
    }

    /// `kubectl diff --server-side --field-manager=provision --force-conflicts -f -`: what an
    /// apply would change, per object. Exit 0: no differences; 1: differences; more: an error
    /// (kubectl pkg/cmd/diff/diff.go).
    func serverSideDiff(_ manifest: String, namespace: String? = nil) async throws -> [DiffSection] {
        let command = clusterCommand(
            ["diff", "--server-side", "--field-manager=provision", "--force-conflicts"] + Self.namespaceArguments(namespace)
                + ["-f", "-"],
            standardInput: Data(manifest.utf8), timeout: .seconds(300))
        let output = try await runner.execute(command)
        switch output.exitStatus {
        case 0: return []
        case 1: return DiffSection.parse(output.standardOutput)
        default: throw CommandError(command: command, reason: .exited(output.exitStatus), output: output)
        }
    }

    /// Every labelled object of the `resources` types (workloads, namespaces, gateways…), in one call.
    func labelledWorkloads(label: String, resources: [String]) async throws -> LabelledWorkloads {
        let output = try await runner.run(clusterCommand(
            ["get", resources.joined(separator: ","), "-l", label, "--all-namespaces", "-o", "json"],
            timeout: .seconds(120)))
        let list = (try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))) as? [String: Any] ?? [:]
        var objects: [String: [String: Any]] = [:]
        for item in list["items"] as? [[String: Any]] ?? [] {
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let kind = item["kind"] as? String ?? ""
            let name = metadata["name"] as? String ?? ""
            let key = kind == "Namespace" ? "Namespace/\(name)" : "\(kind)/\(metadata["namespace"] as? String ?? "default")/\(name)"
            objects[key] = item
        }
        return LabelledWorkloads(objects: objects)
    }
}
