/// What one component's deploy step does inside a cluster, whichever provider made it:
/// write its secrets and apply its objects, wait until it is ready, prove it works.
///
/// One implementation serves every provider (the `Kubernetes` module's);
/// tests of the engine substitute simulated ones.
public protocol ComponentDeployment: Sendable {
    /// Makes sure the component's secrets exist in the cluster, then applies its objects.
    func apply(_ component: any Component) async throws -> ApplyResult

    /// Waits until the component is ready (its workloads and any extra checks), or `timeout` passes.
    func waitUntilReady(_ component: any Component, timeout: Duration) async throws

    /// Runs the component's smoke checks.
    func smokeCheck(_ component: any Component) async throws

    /// Deletes the component's objects from the cluster and waits until they are gone.
    /// Only objects that carry the component's label are deleted. With `keepingData`, its
    /// PersistentVolumeClaims and Namespaces (which hold them) stay.
    /// - Returns: a note for the step, e.g. "deleted 7 objects; kept 2 claims".
    func remove(_ component: any Component, keepingData: Bool, timeout: Duration) async throws -> String

    /// The digest of what ``apply(_:)`` would send now, without sending it.
    func renderedDigest(_ component: any Component) async throws -> String

    /// One look at the cluster for all `components` at once: whether each is in sync with
    /// its rendered objects and ready. Components it cannot tell about are left out.
    func survey(_ components: [any Component]) async throws -> [ComponentID: ComponentSurvey]
}

extension ComponentDeployment {
    /// Deployments that cannot tell say nothing, so nothing is ever skipped as unchanged.
    public func renderedDigest(_ component: any Component) async throws -> String { "" }
    public func survey(_ components: [any Component]) async throws -> [ComponentID: ComponentSurvey] { [:] }
}

/// What the cluster holds of one component now.
public struct ComponentSurvey: Sendable, Hashable {
    /// Objects that differ in the cluster from what would be applied, with what differs:
    /// `Deployment/staging-infra/redis: replicas`.
    public var drifted: [String]
    /// Objects the cluster does not have.
    public var missing: [String]
    /// Every workload rolled out (or Job complete) and every namespace Active.
    public var ready: Bool
    /// Workloads that are not ready, and why.
    public var notReady: [String]

    public init(drifted: [String] = [], missing: [String] = [], ready: Bool, notReady: [String] = []) {
        self.drifted = drifted
        self.missing = missing
        self.ready = ready
        self.notReady = notReady
    }

    public var inSync: Bool { drifted.isEmpty && missing.isEmpty }
}

/// What one apply did, recorded in the state store.
public struct ApplyResult: Sendable, Hashable {
    /// SHA-256 (hex) of exactly what was sent to the cluster.
    public var digest: String
    /// Number of Kubernetes objects applied; 0 when the overlay has nothing for the
    /// component (it is then recorded as skipped, and neither waited for nor checked).
    public var objectCount: Int
    /// The exact text sent (never a Secret: those are applied separately) and its objects,
    /// kept in the history.
    public var body: String
    public var objects: [AppliedObject]

    public init(digest: String, objectCount: Int, body: String = "", objects: [AppliedObject] = []) {
        self.digest = digest
        self.objectCount = objectCount
        self.body = body
        self.objects = objects
    }
}
