/// A Deployment must keep making progress within `progressDeadlineSeconds` (default 600),
/// or `kubectl rollout status` stops with "exceeded its progress deadline" (kubectl's
/// rollout_status.go) and `provision up` reports the component as failed, even though the pod
/// would still become ready. So the deadline must exceed the longest time a container's
/// startup probe allows, plus the first pull of its image.
enum StartupDeadline {
    /// Kubernetes' default for apps/v1 Deployments.
    static let defaultProgressDeadline = 600
    /// What a slow first image pull may add before the startup probe starts counting
    /// (authentik's image is several hundred MB).
    static let imagePullAllowance = 300

    /// The longest a startup probe lets a container start: its initial delay plus every
    /// allowed failure, each taking a period (or the timeout, when that is longer).
    static func startupBudget(of container: Container) -> Int? {
        guard let probe = container.probe("startupProbe") else { return nil }
        let delay = Tree.int(probe["initialDelaySeconds"]) ?? 0
        let period = Tree.int(probe["periodSeconds"]) ?? 10
        let timeout = Tree.int(probe["timeoutSeconds"]) ?? 1
        let failures = Tree.int(probe["failureThreshold"]) ?? 3
        return delay + failures * max(period, timeout)
    }

    static func problems(in objects: [KubeObject]) -> [String] {
        objects.filter { $0.kind == "Deployment" }.compactMap { deployment in
            let budget = deployment.containers.filter { !$0.isInit }.compactMap(startupBudget).max() ?? 0
            let deadline = Tree.int(deployment.spec["progressDeadlineSeconds"]) ?? defaultProgressDeadline
            let needed = budget + imagePullAllowance
            guard deadline < needed else { return nil }
            return "\(deployment): progressDeadlineSeconds \(deadline) is below its startup probe's \(budget) s "
                + "plus \(imagePullAllowance) s for the image pull (\(needed) s); rollout status would give up first"
        }
    }
}
