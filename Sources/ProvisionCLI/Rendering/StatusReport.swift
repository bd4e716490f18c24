import Foundation
import ProvisionCore
import RunHistory

/// What `provision status` found, and its one verdict: the table, `--json` and `--exit-code`
/// all answer from it.
struct StatusReport: Sendable {
    /// Whether the cluster matches `k8s/` and is ready. `--exit-code` exits 0 for `inSync` and
    /// ``ProvisionExit/drifted`` for `drifted`; `notReady` and `noCluster` keep status's exit 1
    /// (an outage, or nothing to compare: a failure, not a difference).
    enum Verdict: String, Encodable, Sendable {
        /// Every object is as `up` would apply it and every component is ready.
        case inSync = "in-sync"
        /// An object was changed in the cluster or is missing from it.
        case drifted
        /// Every object matches, but a component is not ready or failed its smoke check.
        case notReady = "not-ready"
        case noCluster = "no-cluster"
    }

    struct Cluster: Encodable, Sendable {
        var name: String
        var backend: String
        var exists: Bool
        /// The kubeconfig context status used; none when the cluster does not exist.
        var context: String?
    }

    var cluster: Cluster
    /// In plan order.
    var components: [ComponentHealth] = []
    /// The last recorded run, for context.
    var lastRun: RunRecord?
    /// The backend's image caches on this machine (they outlive the cluster); nil when the
    /// backend keeps none, and ``cachesProblem`` when they could not be listed.
    var caches: [CacheStatus]?
    var cachesProblem: String?

    var verdict: Verdict {
        guard cluster.exists else { return .noCluster }
        if components.contains(where: { !$0.inSync }) { return .drifted }
        if components.contains(where: { !$0.ready }) { return .notReady }
        return .inSync
    }

    /// The table `status` prints; after a hand-over to Argo CD, with what Argo CD reports.
    var table: String {
        let gitOps = components.contains { $0.gitOps != nil }
        return Format.table(
            header: ["COMPONENT", "STATUS", "SYNC"] + (gitOps ? ["ARGO CD"] : []) + ["DETAIL"],
            rows: components.map {
                [$0.id.rawValue, $0.ready ? "ready" : "NOT READY", $0.sync.label]
                    + (gitOps ? [$0.gitOps.map { "\($0.sync)/\($0.health)" } ?? "-"] : [])
                    + [Format.summary($0.detail, limit: 120)]
            })
    }

    /// The image caches' table, or what keeps it from being shown; nil when the backend keeps none.
    var cachesTable: String? {
        if let cachesProblem { return "Image caches: cannot list them: \(cachesProblem)" }
        guard let caches else { return nil }
        guard !caches.isEmpty else { return "Image caches: none yet (`provision up` starts them)" }
        return "Image caches (kept by `provision down`; `provision down --remove-caches` removes them):\n"
            + Format.table(
                header: ["CACHE", "SERVES", "CONTAINER", "STATE", "SIZE"],
                rows: caches.map { [$0.role, $0.serves, $0.name, $0.state, $0.size ?? "-"] })
    }

    /// Every object that differs and every reason a component is not ready, one per row and
    /// in full (the table's detail is cut short): what `--exit-code` names when it fails.
    var differences: String {
        let rows = components.flatMap { health in
            health.differences.map { [health.id.rawValue, $0] }
        }
        return Format.table(header: ["COMPONENT", "DIFFERS FROM k8s/ OR NOT READY"], rows: rows)
    }
}

/// One component as `status` found it.
struct ComponentHealth: Sendable {
    enum Smoke: Sendable {
        case passed
        case failed(String)
    }

    /// The component's state against `k8s/`, as `--json` spells it; ``label`` is the table's.
    enum Sync: String, Encodable, Sendable {
        case inSync = "in-sync", drifted, missing
        /// The overlay deploys nothing of the component.
        case nothingToDeploy = "nothing-to-deploy"

        var label: String {
            switch self {
            case .inSync: "in sync"
            case .drifted, .missing: rawValue
            case .nothingToDeploy: "-"
            }
        }
    }

    var id: ComponentID
    /// What the cluster holds of the component; nil when the overlay deploys nothing of it.
    var survey: ComponentSurvey?
    /// The smoke check's outcome when one ran (`--smoke`, on a ready component).
    var smoke: Smoke?
    /// What Argo CD reports of it, after a hand-over (`provision argocd export`).
    var gitOps: GitOpsState?

    var inSync: Bool { survey?.inSync ?? true }

    var ready: Bool {
        if case .failed = smoke { return false }
        return survey?.ready ?? true
    }

    var sync: Sync {
        guard let survey else { return .nothingToDeploy }
        return survey.inSync ? .inSync : !survey.missing.isEmpty ? .missing : .drifted
    }

    /// The objects that differ: `missing Service/staging-infra/redis`, `changed Deployment/…: replicas`.
    private var drift: [String] {
        (survey?.missing ?? []).map { "missing \($0)" } + (survey?.drifted ?? []).map { "changed \($0)" }
    }

    var differences: [String] {
        var reasons = drift + (survey?.notReady ?? []).map { "not ready: \($0)" }
        if case .failed(let why) = smoke { reasons.append("smoke check: \(why)") }
        return reasons
    }

    /// The table's detail column.
    var detail: String {
        guard let survey else { return "nothing to deploy in this overlay" }
        switch smoke {
        case .failed(let why): return "smoke check: " + why
        case .passed: return (["smoke check passed"] + drift).joined(separator: "; ")
        case nil: return ((survey.ready ? [] : [survey.notReady.joined(separator: "; ")]) + drift).joined(separator: "; ")
        }
    }
}

/// `status --json`: the verdict, every object that differs (flat, each naming its component),
/// each component's state, the cluster and the last run as `history --json` prints it. Fields
/// may be added, never renamed or removed.
extension StatusReport: Encodable {
    private struct Difference: Encodable {
        var component: ComponentID
        var object: String
        /// `changed` (by hand, in the cluster) or `missing` (from the cluster).
        var change: String
        /// The changed keys, for a changed object.
        var fields: [String]?
    }

    private struct Component: Encodable {
        var id: ComponentID
        var ready: Bool
        var sync: ComponentHealth.Sync
        var notReady: [String]
        /// `passed` or `failed`, when a smoke check ran.
        var smoke: String?
        var smokeError: String?
        /// Argo CD's sync and health of it, after a hand-over.
        var gitOps: GitOpsState?
    }

    private enum Keys: String, CodingKey { case verdict, cluster, differences, components, lastRun, caches }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(cluster, forKey: .cluster)
        try container.encode(components.flatMap { health in
            (health.survey?.missing ?? []).map { Difference(component: health.id, object: $0, change: "missing") }
                + (health.survey?.drifted ?? []).map {
                    Difference(component: health.id, object: $0.reference, change: "changed", fields: $0.fields)
                }
        }, forKey: .differences)
        try container.encode(components.map { health in
            var smoke: String?, smokeError: String?
            switch health.smoke {
            case .passed: smoke = "passed"
            case .failed(let why): (smoke, smokeError) = ("failed", why)
            case nil: break
            }
            return Component(
                id: health.id, ready: health.ready, sync: health.sync, notReady: health.survey?.notReady ?? [],
                smoke: smoke, smokeError: smokeError, gitOps: health.gitOps)
        }, forKey: .components)
        try container.encodeIfPresent(lastRun, forKey: .lastRun)
        try container.encodeIfPresent(caches, forKey: .caches)
    }

    /// The document `status --json` prints (sorted keys, ISO 8601 dates, as `history --json`).
    func json() throws -> String { try HistoryJSON.encode(value: self) }
}
