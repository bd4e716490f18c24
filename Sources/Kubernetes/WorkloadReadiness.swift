import ProvisionCore

/// Readiness derived from the objects a component applies, as Flux's kustomize-controller
/// does with `wait: true`: what the manifests run is what the component waits for, so no
/// component lists its workloads a second time.
public enum WorkloadReadiness {
    /// One check per workload among `objects`: Namespaces and CRDs first (everything lives
    /// in them), then Jobs (ingress-nginx's controller needs the certificate its admission Job
    /// makes), then StatefulSets, Deployments and DaemonSets, then what their controllers
    /// report on (GatewayClasses, Gateways, routes); in rendered order within each kind.
    public static func checks(for objects: [ManifestDocument]) -> [ReadinessCheck] {
        inWaitingOrder(objects.map { ($0, check(for: $0)) })
    }

    /// The checks already derived from their objects, in the order above.
    static func inWaitingOrder(_ checked: [(object: ManifestDocument, check: ReadinessCheck?)]) -> [ReadinessCheck] {
        let order = [
            "Namespace", "CustomResourceDefinition", "Job", "StatefulSet", "Deployment", "DaemonSet",
            "GatewayClass", "Gateway", "HTTPRoute",
        ]
        return order.flatMap { kind in
            checked.filter { $0.object.kind == kind }.compactMap(\.check)
        }
    }

    /// The check for one object, or nil for objects that have no readiness of their own.
    static func check(for object: ManifestDocument) -> ReadinessCheck? {
        // kubectl applies namespaced objects without a namespace into "default".
        let namespace = object.namespace ?? "default"
        switch object.kind {
        case "Namespace": return .namespaceActive(object.name)
        case "Job": return .jobCompleted(name: object.name, namespace: namespace)
        case "StatefulSet": return .rolledOut(.statefulSet, name: object.name, namespace: namespace)
        case "Deployment": return .rolledOut(.deployment, name: object.name, namespace: namespace)
        case "DaemonSet": return .rolledOut(.daemonSet, name: object.name, namespace: namespace)
        // Until a CRD is Established, objects of its kind are refused ("no matches for kind").
        case "CustomResourceDefinition":
            return .conditionTrue(resource: "customresourcedefinition", name: object.name, namespace: nil, condition: "Established")
        // Gateway API (gateway.networking.k8s.io): the controller reports on what it serves.
        case "GatewayClass" where object.isGatewayAPI:
            return .conditionTrue(resource: "gatewayclass", name: object.name, namespace: nil, condition: "Accepted")
        case "Gateway" where object.isGatewayAPI:
            return .conditionTrue(resource: "gateway", name: object.name, namespace: namespace, condition: "Programmed")
        case "HTTPRoute" where object.isGatewayAPI:
            return .routeAttached(resource: "httproute", name: object.name, namespace: namespace)
        default: return nil
        }
    }
}

extension ManifestDocument {
    /// An object of the Gateway API (`gateway.networking.k8s.io/...`).
    var isGatewayAPI: Bool { apiVersion.hasPrefix("gateway.networking.k8s.io/") }
}
