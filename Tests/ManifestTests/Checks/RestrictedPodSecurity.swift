/// The restricted Pod Security Standard (the namespaces enforce it), plus this project's
/// rule that pods do not mount a service-account token they do not use. A pod that must
/// break a rule carries the reason in the pod template annotation `wrightnow/pss-exception`.
enum RestrictedPodSecurity {
    static let exceptionAnnotation = "wrightnow/pss-exception"
    static let allowedVolumeTypes: Set<String> = [
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
    ]

    static func problems(in objects: [KubeObject]) -> [String] {
        objects.filter(\.isWorkload).flatMap { workload -> [String] in
            let reason = (workload.podAnnotations[exceptionAnnotation] ?? "").trimmingCharacters(in: .whitespaces)
            return reason.isEmpty ? problems(of: workload) : []
        }
    }

    static func problems(of workload: KubeObject) -> [String] {
        var problems: [String] = []
        let pod = workload.podSpec
        let podContext = Tree.dictionary(pod["securityContext"])
        func add(_ text: String) { problems.append("\(workload): \(text)") }

        for field in ["hostNetwork", "hostPID", "hostIPC"] where Tree.bool(pod[field]) == true {
            add("sets \(field)")
        }
        if Tree.bool(pod["automountServiceAccountToken"]) != false {
            add("mounts a service-account token; set automountServiceAccountToken: false")
        }
        for volume in workload.volumes {
            for type in volume.keys where type != "name" && !allowedVolumeTypes.contains(type) {
                add("volume \(Tree.string(volume["name"]) ?? "?") uses \(type)")
            }
        }
        if Tree.int(podContext["runAsUser"]) == 0 { add("runs as uid 0") }
        for container in workload.containers {
            let context = container.securityContext
            let label = "container \(container.name)"
            let runAsNonRoot = Tree.bool(context["runAsNonRoot"]) ?? Tree.bool(podContext["runAsNonRoot"])
            if runAsNonRoot != true { add("\(label) does not set runAsNonRoot: true") }
            if Tree.int(context["runAsUser"]) == 0 { add("\(label) runs as uid 0") }
            let seccomp = Tree.string(Tree.value(context, at: "seccompProfile.type"))
                ?? Tree.string(Tree.value(podContext, at: "seccompProfile.type"))
            if seccomp != "RuntimeDefault" && seccomp != "Localhost" {
                add("\(label) has no seccompProfile RuntimeDefault")
            }
            if Tree.bool(context["privileged"]) == true { add("\(label) is privileged") }
            if Tree.bool(context["allowPrivilegeEscalation"]) != false {
                add("\(label) does not set allowPrivilegeEscalation: false")
            }
            let drop = Tree.array(Tree.value(context, at: "capabilities.drop")).compactMap(Tree.string)
            if !drop.contains("ALL") { add("\(label) does not drop ALL capabilities") }
            let added = Tree.array(Tree.value(context, at: "capabilities.add")).compactMap(Tree.string)
            for capability in added where capability != "NET_BIND_SERVICE" {
                add("\(label) adds capability \(capability)")
            }
            for port in container.ports where Tree.int(port["hostPort"]) != nil {
                add("\(label) uses a hostPort")
            }
        }
        return problems
    }
}
