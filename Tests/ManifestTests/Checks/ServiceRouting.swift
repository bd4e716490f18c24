/// Services must select pods and name ports those pods declare; Ingress backends must be
/// Services and ports that exist. Catches the typo that leaves a Service without endpoints.
enum ServiceRouting {
    static func problems(in objects: [KubeObject]) -> [String] {
        serviceProblems(objects) + ingressProblems(objects)
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
}
