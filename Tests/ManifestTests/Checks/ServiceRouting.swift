/// Services must select pods and name ports those pods declare; Ingress backends must be
/// Services and ports that exist. Catches the typo that leaves a Service without endpoints.
enum ServiceRouting {
    static func problems(in objects: [KubeObject]) -> [String] {
        serviceProblems(objects) + ingressProblems(objects) + routeProblems(objects)
    }

    static func serviceProblems(_ objects: [KubeObject]) -> [String] {
        var problems: [String] = []
        let workloads = objects.filter(\.isWorkload)
        for service in objects where service.kind == "Service" {
            let selector = Tree.stringDictionary(service.spec["selector"])
            guard !selector.isEmpty else {
                problems.append("\(service) has no selector, so it selects no pod")
                continue
            }
            let selected = workloads.filter { workload in
                workload.namespace == service.namespace
                    && selector.allSatisfy { workload.podLabels[$0.key] == $0.value }
            }
            guard !selected.isEmpty else {
                problems.append("\(service) selects no pod: no pod template in \(service.namespace ?? "-") has labels \(selector)")
                continue
            }
            let declaredPorts = selected.flatMap { $0.containers.flatMap(\.ports) }
            let names = Set(declaredPorts.compactMap { Tree.string($0["name"]) })
            let numbers = Set(declaredPorts.compactMap { Tree.int($0["containerPort"]) })
            for port in Tree.array(service.spec["ports"]).map(Tree.dictionary) {
                let target = port["targetPort"] ?? port["port"]
                if let number = target as? Int {
                    if !numbers.contains(number) {
                        problems.append("\(service) targets port \(number), which no selected pod declares")
                    }
                } else if let name = Tree.string(target), !names.contains(name) {
                    problems.append("\(service) targets port '\(name)', which no selected pod declares")
                }
            }
        }
        return problems
    }

    static func ingressProblems(_ objects: [KubeObject]) -> [String] {
        var problems: [String] = []
        for ingress in objects where ingress.kind == "Ingress" {
            var backends = Tree.array(ingress.spec["rules"]).flatMap { rule in
                Tree.array(Tree.value(rule, at: "http.paths") ?? []).compactMap {
                    Tree.value($0, at: "backend.service") as? [String: Any]
                }
            }
            if let fallback = Tree.value(ingress.spec, at: "defaultBackend.service") as? [String: Any] {
                backends.append(fallback)
            }
            for backend in backends {
                let name = Tree.string(backend["name"]) ?? ""
                guard let service = objects.first(where: {
                    $0.kind == "Service" && $0.name == name && $0.namespace == ingress.namespace
                }) else {
                    problems.append("\(ingress) routes to Service \(name), which is not rendered in its namespace")
                    continue
                }
                let ports = Tree.array(service.spec["ports"]).map(Tree.dictionary)
                if let number = Tree.int(Tree.value(backend, at: "port.number")),
                   !ports.contains(where: { Tree.int($0["port"]) == number }) {
                    problems.append("\(ingress) routes to \(service) port \(number), which the Service does not have")
                }
                if let portName = Tree.string(Tree.value(backend, at: "port.name")),
                   !ports.contains(where: { Tree.string($0["name"]) == portName }) {
                    problems.append("\(ingress) routes to \(service) port '\(portName)', which the Service does not have")
                }
            }
        }
        return problems
    }
    /// Gateway API routes: each HTTPRoute's parent Gateway is rendered, has the listener it
    /// names and lets routes from the route's namespace attach (its `allowedRoutes` selector
    /// against the rendered Namespace's labels); each backend is a rendered Service with that port.
    static func routeProblems(_ objects: [KubeObject]) -> [String] {
        var problems: [String] = []
        for route in objects where route.kind == "HTTPRoute" {
            for parent in Tree.array(route.spec["parentRefs"]).map(Tree.dictionary) {
                let name = Tree.string(parent["name"]) ?? ""
                let namespace = Tree.string(parent["namespace"]) ?? route.namespace
                guard let gateway = objects.first(where: { $0.kind == "Gateway" && $0.name == name && $0.namespace == namespace })
                else {
                    problems.append("\(route) attaches to Gateway \(namespace ?? "")/\(name), which is not rendered")
                    continue
                }
                let listeners = Tree.array(gateway.spec["listeners"]).map(Tree.dictionary)
                let section = Tree.string(parent["sectionName"])
                guard let listener = listeners.first(where: { section == nil || Tree.string($0["name"]) == section }) else {
                    problems.append("\(route) attaches to listener \(section ?? "") of \(gateway), which has no such listener")
                    continue
                }
                let allowed = Tree.dictionary(Tree.value(listener, at: "allowedRoutes.namespaces"))
                switch Tree.string(allowed["from"]) ?? "Same" {
                case "All": break
                case "Same" where route.namespace == gateway.namespace: break
                case "Selector":
                    let wanted = Tree.stringDictionary(Tree.value(allowed, at: "selector.matchLabels"))
                    let labels = objects.first { $0.kind == "Namespace" && $0.name == route.namespace }.map {
                        Tree.stringDictionary($0.metadata["labels"])
                    } ?? [:]
                    if !wanted.allSatisfy({ labels[$0.key] == $0.value }) {
                        problems.append("\(route)'s namespace does not carry the labels \(gateway) lets routes attach from: \(wanted)")
                    }
                default:
                    problems.append("\(route) is in another namespace than \(gateway), which takes routes from its own only")
                }
            }
            let backends = Tree.array(route.spec["rules"]).flatMap { Tree.array(Tree.dictionary($0)["backendRefs"]).map(Tree.dictionary) }
            for backend in backends {
                let name = Tree.string(backend["name"]) ?? ""
                let namespace = Tree.string(backend["namespace"]) ?? route.namespace
                guard let service = objects.first(where: { $0.kind == "Service" && $0.name == name && $0.namespace == namespace })
                else {
                    problems.append("\(route) routes to Service \(name), which is not rendered in its namespace")
                    continue
                }
                if let port = Tree.int(backend["port"]),
                   !Tree.array(service.spec["ports"]).map(Tree.dictionary).contains(where: { Tree.int($0["port"]) == port }) {
                    problems.append("\(route) routes to \(service) port \(port), which the Service does not have")
                }
            }
        }
        return problems
    }
}
