/// What a GitOps controller (Argo CD) that applies the stack from Git reports of one
/// component, once the stack was handed over to it (`provision argocd export`).
public struct GitOpsState: Sendable, Hashable, Codable {
    /// `Synced`, `OutOfSync`, `Unknown`: whether the cluster holds what Git says.
    public var sync: String
    /// `Healthy`, `Progressing`, `Degraded`, `Missing`, `Suspended`, `Unknown`.
    public var health: String

    public init(sync: String, health: String) {
        self.sync = sync
        self.health = health
    }
}

/// The optional part of ``ComponentDeployment`` that knows a GitOps controller: who applies
/// the stack from Git besides `provision`, how each component stands there, and how to take
/// the stack back so that `down` is not undone by it. Deployments that know none answer that
/// none does.
extension ComponentDeployment {
    /// The applications of the GitOps controller that apply the stack (their names); empty
    /// when none does or none can be seen.
    public func gitOpsOwners() async -> [String] { [] }

    /// Stops `owners` from applying the stack, without deleting what they applied.
    /// - Returns: the step's note.
    public func reclaim(from owners: [String]) async throws -> String { "nothing applies the stack from Git" }

    /// Each component's state in the GitOps controller, for `provision status`; empty when
    /// none applies the stack.
    public func gitOpsStates(_ releases: [ComponentRelease]) async -> [ComponentID: GitOpsState] { [:] }
}

extension StepAction {
    /// `down` on a cluster the provider does not own, after a hand-over: the GitOps
    /// controller's applications stop applying the stack before its components are removed.
    public static let reclaim: Self = "reclaim"
}
