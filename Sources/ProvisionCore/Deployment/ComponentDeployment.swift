/// What one component's deploy step does inside a cluster, whichever provider made it:
/// write its secrets and apply its objects, wait until it is ready, prove it works.
///
/// One implementation serves every provider (the `Kubernetes` module's);
/// tests of the engine substitute simulated ones.
public protocol ComponentDeployment: Sendable {
    /// Works out what `component` deploys in this run: its objects, their exact text and
    /// digest, what it waits for. Changes nothing in the cluster. Called once per component
    /// and run; everything below takes its result.
    func prepare(_ component: any Component) async throws -> ComponentRelease

    /// Makes sure the component's secrets exist in the cluster, then applies its objects.
    func apply(_ release: ComponentRelease) async throws

    /// Waits until the component is ready (its ``ComponentRelease/readiness``), or `timeout` passes.
    func waitUntilReady(_ release: ComponentRelease, timeout: Duration) async throws

    /// Runs the component's smoke checks.
    func smokeCheck(_ release: ComponentRelease) async throws

    /// Deletes the component's objects from the cluster and waits until they are gone.
    /// Only objects that carry the component's label are deleted. With `keepingData`, its
    /// PersistentVolumeClaims and Namespaces (which hold them) stay.
    /// - Returns: a note for the step, e.g. "deleted 7 objects; kept 2 claims".
    func remove(_ release: ComponentRelease, keepingData: Bool, timeout: Duration) async throws -> String

    /// One look at the cluster for all `releases` at once: whether each is in sync with
    /// its objects and ready. Components it cannot tell about are left out.
    func survey(_ releases: [ComponentRelease]) async throws -> [ComponentID: ComponentSurvey]

    /// See GitOps.swift: the GitOps controller that applies the stack from Git, if any.
    func gitOpsOwners() async -> [String]
    func reclaim(from owners: [String]) async throws -> String
    func gitOpsStates(_ releases: [ComponentRelease]) async -> [ComponentID: GitOpsState]
}

extension ComponentDeployment {
    /// Deployments that cannot tell say nothing, so nothing is ever skipped as unchanged.
    public func survey(_ releases: [ComponentRelease]) async throws -> [ComponentID: ComponentSurvey] { [:] }

    /// Prepares `components` side by side. Each keeps its own outcome, so one that cannot be
    /// prepared (a download refused) fails only its own step, as it would have failed there.
    public func prepare(_ components: [any Component]) async -> [ComponentID: Result<ComponentRelease, any Error>] {
        await withTaskGroup(of: (ComponentID, Result<ComponentRelease, any Error>).self) { group in
            for component in components {
                group.addTask {
                    do {
                        return (component.id, .success(try await prepare(component)))
                    } catch {
                        return (component.id, .failure(error))
                    }
                }
            }
            var releases: [ComponentID: Result<ComponentRelease, any Error>] = [:]
            for await (id, release) in group { releases[id] = release }
            return releases
        }
    }
}

/// What the cluster holds of one component now.
public struct ComponentSurvey: Sendable, Hashable {
    /// Objects that differ in the cluster from what would be applied, with what differs.
    public var drifted: [DriftedObject]
    /// Objects the cluster does not have.
    public var missing: [String]
    /// Every workload rolled out (or Job complete) and every namespace Active.
    public var ready: Bool
    /// Workloads that are not ready, and why.
    public var notReady: [String]

    public init(drifted: [DriftedObject] = [], missing: [String] = [], ready: Bool, notReady: [String] = []) {
        self.drifted = drifted
        self.missing = missing
        self.ready = ready
        self.notReady = notReady
    }

    public var inSync: Bool { drifted.isEmpty && missing.isEmpty }
}

/// An object the cluster holds otherwise than `up` would apply it, and the fields that differ.
public struct DriftedObject: Sendable, Hashable, CustomStringConvertible {
    /// `Deployment/staging-infra/redis`.
    public var reference: String
    /// The changed keys: `replicas`, `image`.
    public var fields: [String]

    public init(reference: String, fields: [String]) {
        self.reference = reference
        self.fields = fields
    }

    /// `Deployment/staging-infra/redis: replicas`.
    public var description: String { "\(reference): \(fields.joined(separator: ", "))" }
}
