import Foundation

/// Evaluates the rendered NetworkPolicies as a whole, the way a conforming network plugin
/// (kindnet since kind v0.24.0) does (networking.k8s.io/v1): a pod selected by a policy of a
/// direction is isolated in that direction and accepts only what some selecting policy's rule
/// allows; a connection needs the source's egress and the destination's ingress allowed.
enum NetworkPolicies {
    /// A pod, or an address outside the cluster (namespace nil).
    struct Endpoint: CustomStringConvertible, Sendable {
        var name: String
        var namespace: String?
        var labels: [String: String] = [:]
        var ip: String
        /// Named container ports, for rules that name a port.
        var namedPorts: [String: Int] = [:]

        var description: String { namespace.map { "\($0)/\(name)" } ?? name }
    }

    struct Flow: CustomStringConvertible, Sendable {
        var from: Endpoint
        var to: Endpoint
        var port: Int
        var proto = "TCP"
        var description: String { "\(from) -> \(to):\(port)/\(proto)" }
    }

    /// kind's default pod network (10.244.0.0/16): pod addresses are private.
    static func podIP(_ index: Int) -> String { "10.244.0.\(index % 250 + 2)" }

    /// The pods the rendered workloads create, one endpoint per workload.
    static func pods(of objects: [KubeObject]) -> [Endpoint] {
        objects.filter(\.isWorkload).enumerated().map { index, workload in
            var named: [String: Int] = [:]
            for port in workload.containers.flatMap(\.ports) {
                if let name = Tree.string(port["name"]), let number = Tree.int(port["containerPort"]) { named[name] = number }
            }
            return Endpoint(name: workload.name, namespace: workload.namespace ?? "default", labels: workload.podLabels,
                            ip: podIP(index), namedPorts: named)
        }
    }

    /// Labels of each namespace: the rendered ones, plus `kubernetes.io/metadata.name`, which
    /// the API server sets on every namespace.
    static func namespaceLabels(_ objects: [KubeObject], _ namespace: String) -> [String: String] {
        var labels = objects.first { $0.kind == "Namespace" && $0.name == namespace }?.labels ?? [:]
        labels["kubernetes.io/metadata.name"] = namespace
        return labels
    }

    static func isAllowed(_ flow: Flow, in objects: [KubeObject]) -> Bool {
        allowed(flow, direction: .egress, objects) && allowed(flow, direction: .ingress, objects)
    }

    enum Direction: String { case ingress = "Ingress", egress = "Egress" }

    private static func allowed(_ flow: Flow, direction: Direction, _ objects: [KubeObject]) -> Bool {
        let subject = direction == .ingress ? flow.to : flow.from
        let peer = direction == .ingress ? flow.from : flow.to
        // Addresses outside the cluster have no policies of their own.
        guard let namespace = subject.namespace else { return true }
        let selecting = objects.filter { policy in
            policy.kind == "NetworkPolicy" && (policy.namespace ?? "default") == namespace
                && matches(Tree.dictionary(policy.spec["podSelector"]), subject.labels)
                && policyTypes(policy).contains(direction.rawValue)
        }
        if selecting.isEmpty { return true }
        let rulesKey = direction == .ingress ? "ingress" : "egress"
        let peersKey = direction == .ingress ? "from" : "to"
        return selecting.contains { policy in
            Tree.array(policy.spec[rulesKey]).map(Tree.dictionary).contains { rule in
                let peers = Tree.array(rule[peersKey]).map(Tree.dictionary)
                let ports = Tree.array(rule["ports"]).map(Tree.dictionary)
                let peerMatches = rule[peersKey] == nil
                    || peers.contains { matches(peer: $0, policyNamespace: namespace, peer, objects) }
                let portMatches = rule["ports"] == nil
                    || ports.contains { matches(port: $0, flow: flow) }
                return peerMatches && portMatches
            }
        }
    }

    /// `policyTypes`, or its default: Ingress, plus Egress when the policy has egress rules.
    static func policyTypes(_ policy: KubeObject) -> [String] {
        let declared = Tree.array(policy.spec["policyTypes"]).compactMap(Tree.string)
        if !declared.isEmpty { return declared }
        return ["Ingress"] + (policy.spec["egress"] != nil ? ["Egress"] : [])
    }

    private static func matches(peer: [String: Any], policyNamespace: String, _ endpoint: Endpoint,
                                _ objects: [KubeObject]) -> Bool {
        if let block = peer["ipBlock"] as? [String: Any] {
            let cidr = Tree.string(block["cidr"]) ?? ""
            let except = Tree.array(block["except"]).compactMap(Tree.string)
            return contains(cidr, endpoint.ip) && !except.contains { contains($0, endpoint.ip) }
        }
        guard let namespace = endpoint.namespace else { return false }  // selectors match pods only
        if let namespaceSelector = peer["namespaceSelector"] as? [String: Any] {
            guard matches(namespaceSelector, namespaceLabels(objects, namespace)) else { return false }
        } else if namespace != policyNamespace {
            return false
        }
        if let podSelector = peer["podSelector"] as? [String: Any] {
            return matches(podSelector, endpoint.labels)
        }
        return true
    }

    private static func matches(port rule: [String: Any], flow: Flow) -> Bool {
        guard (Tree.string(rule["protocol"]) ?? "TCP") == flow.proto else { return false }
        guard let declared = rule["port"] else { return true }
        if let number = Tree.int(declared), declared is Int {
            let end = Tree.int(rule["endPort"]) ?? number
            return (number...max(number, end)).contains(flow.port)
        }
        // A named port names a port of the destination pod.
        return Tree.string(declared).flatMap { flow.to.namedPorts[$0] } == flow.port
    }

    /// A label selector: matchLabels and matchExpressions; `{}` selects everything.
    static func matches(_ selector: [String: Any], _ labels: [String: String]) -> Bool {
        let required = Tree.stringDictionary(selector["matchLabels"])
        guard required.allSatisfy({ labels[$0.key] == $0.value }) else { return false }
        return Tree.array(selector["matchExpressions"]).map(Tree.dictionary).allSatisfy { expression in
            let key = Tree.string(expression["key"]) ?? ""
            let values = Tree.array(expression["values"]).compactMap(Tree.string)
            switch Tree.string(expression["operator"]) {
            case "In": return labels[key].map(values.contains) ?? false
            case "NotIn": return !(labels[key].map(values.contains) ?? false)
            case "Exists": return labels[key] != nil
            case "DoesNotExist": return labels[key] == nil
            default: return false
            }
        }
    }

    /// IPv4 only, which is all the policies here use.
    static func contains(_ cidr: String, _ ip: String) -> Bool {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), let network = ipv4(String(parts[0])), let address = ipv4(ip) else {
            return false
        }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return network & mask == address & mask
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        return octets.reduce(0) { $0 << 8 | $1 }
    }
}
