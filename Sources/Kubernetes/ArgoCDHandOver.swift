import Foundation
import ProcessRunning
import ProvisionCore

/// The Argo CD Applications that apply the stack after its hand-over: those
/// `provision argocd export` writes carry ``label``. Their status names every object they
/// track (`.status.resources`: kind, namespace, name, sync status, health), from which each
/// component's state follows; argo-cd v3.5.1 pkg/apis/application/v1alpha1 types.go
/// (ResourceStatus, SyncStatus, HealthStatus).
enum ArgoCDHandOver {
    /// Argo CD's namespace: its install manifest binds its service accounts there.
    static let namespace = "argocd"
    /// What marks an Application as provision's hand-over.
    static let label = "wrightnow/handed-over-by=provision"
    static let resource = "applications.argoproj.io"

    struct Application {
        var name: String
        /// `Kind/namespace/name` (or `Kind/name`) of each tracked object, as the history names
        /// objects, with its sync status and health.
        var resources: [(reference: String, sync: String?, health: String?)]
    }

    /// The hand-over Applications, or none when Argo CD is not installed (kubectl then says
    /// `the server doesn't have a resource type`) or cannot be asked.
    static func applications(_ kubectl: Kubectl) async -> [Application] {
        let command = kubectl.clusterCommand(
            ["get", resource, "-n", namespace, "-l", label, "-o", "json"], timeout: .seconds(60))
        guard let output = try? await kubectl.runner.execute(command), output.exitStatus == 0,
            let list = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        else { return [] }
        return (list["items"] as? [[String: Any]] ?? []).compactMap { item in
            guard let name = (item["metadata"] as? [String: Any])?["name"] as? String else { return nil }
            let status = item["status"] as? [String: Any] ?? [:]
            let resources = (status["resources"] as? [[String: Any]] ?? []).compactMap {
                resource -> (String, String?, String?)? in
                guard let kind = resource["kind"] as? String, let objectName = resource["name"] as? String else { return nil }
                let reference = (resource["namespace"] as? String).map { "\(kind)/\($0)/\(objectName)" } ?? "\(kind)/\(objectName)"
                return (reference, resource["status"] as? String, (resource["health"] as? [String: Any])?["status"] as? String)
            }
            return Application(name: name, resources: resources)
        }
    }

    /// Each component's state: out of sync when any of its objects is, and its least healthy
    /// object's health (Argo CD's own order: Degraded, Missing, Unknown, Progressing, Suspended,
    /// Healthy; gitops-engine pkg/health IsWorse).
    static func states(of applications: [Application], for releases: [ComponentRelease]) -> [ComponentID: GitOpsState] {
        var tracked: [String: (sync: String?, health: String?)] = [:]
        for application in applications {
            for resource in application.resources { tracked[resource.reference] = (resource.sync, resource.health) }
        }
        let order = ["Healthy", "Suspended", "Progressing", "Unknown", "Missing", "Degraded"]
        var states: [ComponentID: GitOpsState] = [:]
        for release in releases {
            let found = release.objects.compactMap { tracked[$0.reference] }
            guard !found.isEmpty else { continue }
            let sync = found.contains { $0.sync != "Synced" } ? "OutOfSync" : "Synced"
            let health = found.compactMap(\.health).max { (order.firstIndex(of: $0) ?? 3) < (order.firstIndex(of: $1) ?? 3) }
            states[release.id] = GitOpsState(sync: sync, health: health ?? "Healthy")
        }
        return states
    }
}

extension KubernetesDeployment {
    public func gitOpsOwners() async -> [String] {
        await ArgoCDHandOver.applications(kubectl).map(\.name)
    }

    /// Deletes each Application without Argo CD's `resources-finalizer.argocd.argoproj.io`
    /// (removed first), so Argo CD stops applying the stack and deletes nothing it applied.
    public func reclaim(from owners: [String]) async throws -> String {
        for name in owners {
            try await kubectl.runner.run(kubectl.clusterCommand(
                ["patch", "application", name, "-n", ArgoCDHandOver.namespace, "--type", "merge",
                 "-p", #"{"metadata":{"finalizers":null}}"#],
                timeout: .seconds(60)))
            try await kubectl.runner.run(kubectl.clusterCommand(
                ["delete", "application", name, "-n", ArgoCDHandOver.namespace, "--ignore-not-found", "--wait=true",
                 "--timeout=120s"],
                timeout: .seconds(150)))
        }
        return "Argo CD stopped applying the stack: deleted Application \(owners.joined(separator: ", ")) without its "
            + "resources finalizer, so nothing it applied was deleted"
    }

    public func gitOpsStates(_ releases: [ComponentRelease]) async -> [ComponentID: GitOpsState] {
        ArgoCDHandOver.states(of: await ArgoCDHandOver.applications(kubectl), for: releases)
    }
}
