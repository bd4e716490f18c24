/// Every container declares CPU and memory requests and limits, and every long-running
/// container has liveness and readiness probes. Exceptions need a written reason in the
/// pod template annotation `wrightnow/probes-exception`; Jobs run to completion.
enum ContainerHealth {
    static let exceptionAnnotation = "wrightnow/probes-exception"

    static func problems(in objects: [KubeObject]) -> [String] {
        var problems: [String] = []
        for workload in objects where workload.isWorkload {
            let exempt = !(workload.podAnnotations[exceptionAnnotation] ?? "").trimmingCharacters(in: .whitespaces).isEmpty
            for container in workload.containers {
                let label = "\(workload) container \(container.name)"
                for section in ["requests", "limits"] {
                    let values = Tree.dictionary(container.resources[section])
                    for resource in ["cpu", "memory"] where Tree.string(values[resource]) == nil {
                        problems.append("\(label) has no \(resource) \(section)")
                    }
                }
                guard !container.isInit, !workload.runsToCompletion, !exempt else { continue }
                for probe in ["livenessProbe", "readinessProbe"] where container.probe(probe) == nil {
                    problems.append("\(label) has no \(probe) (or add a reason in the \(exceptionAnnotation) annotation)")
                }
            }
        }
        return problems
    }
}
