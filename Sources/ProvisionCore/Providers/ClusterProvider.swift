import Foundation

/// The cluster a run targets.
public struct ClusterSpec: Sendable, Hashable {
    /// Cluster name, e.g. `wrightnow`.
    public var name: String
    /// The repository's `k8s/` directory (single source of truth for manifests).
    public var manifestsRoot: URL
    /// The overlay to render, e.g. `local` for `k8s/overlays/local`.
    public var overlay: String

    /// Where the run that created the cluster said its volume data lives (the CLI keeps that
    /// record in the state directory), so `down` finds it without the manifests.
    public var recordedDataDirectory: URL?

    public init(name: String, manifestsRoot: URL, overlay: String, recordedDataDirectory: URL? = nil) {
        self.name = name
        self.manifestsRoot = manifestsRoot
        self.overlay = overlay
        self.recordedDataDirectory = recordedDataDirectory
    }

    public var overlayDirectory: URL {
        manifestsRoot.appending(path: "overlays").appending(path: overlay)
    }
}

/// Something preflight noticed that does not stop the run.
public struct PreflightWarning: Sendable, Hashable, CustomStringConvertible {
    public var problem: String
    public var fix: String
    public init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }
    public var description: String { "\(problem)\n  fix: \(fix)" }
}

/// A prerequisite tool and the version it reported, for `provision up` to show.
public struct ToolVersion: Sendable, Hashable, CustomStringConvertible {
    public var tool: String
    public var version: String
    public init(tool: String, version: String) {
        self.tool = tool
        self.version = version
    }
    public var description: String { "\(tool) \(version)" }
}

/// What a provider's checks found: the problems that block the run (every one, so that
/// preflight lists them at once), the warnings to show, and the versions of the tools it uses.
/// ``ClusterProvider/preflight(_:creatingCluster:)`` throws the blocking ones together.
public struct PreflightReport: Sendable {
    public var blocking: [Problem]
    public var warnings: [PreflightWarning]
    public var toolVersions: [ToolVersion]
    public init(blocking: [Problem] = [], warnings: [PreflightWarning] = [], toolVersions: [ToolVersion] = []) {
        self.blocking = blocking
        self.warnings = warnings
        self.toolVersions = toolVersions
    }
}

/// Which cluster a run reached, recorded with the run so history tells clusters apart.
public struct ClusterTarget: Sendable, Hashable {
    /// The kubeconfig context every call to the cluster named.
    public var context: String
    /// The API server URL behind the context, when known.
    public var server: String?
    public init(context: String, server: String?) {
        self.context = context
        self.server = server
    }
}

/// Whether ``ClusterProvider/ensureCluster(_:)`` made a new cluster or found one, and what
/// else the user should know about it (the cluster tool switched the user's current context and
/// provision switched it back, say).
public struct ClusterProvisioning: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable { case created, reused }
    public var outcome: Outcome
    /// Said after "created cluster `x`" in the step's note.
    public var notes: [String]

    public init(_ outcome: Outcome, notes: [String] = []) {
        self.outcome = outcome
        self.notes = notes
    }

    public static let created = ClusterProvisioning(.created)
    public static let reused = ClusterProvisioning(.reused)

    /// "created cluster `x`; <notes>", the create-cluster step's note.
    public func note(cluster: String) -> String {
        ([outcome == .created ? "created cluster `\(cluster)`" : "reused cluster `\(cluster)`"] + notes)
            .joined(separator: "; ")
    }
}

/// Where a cluster comes from: its lifecycle and nothing else.
///
/// Modelled on kind's provider interface: a provider checks its prerequisites, creates,
/// finds and deletes clusters, and names the kube context that reaches them. Everything
/// that happens inside a cluster (secrets, apply, readiness, smoke checks) is the shared
/// ``ComponentDeployment`` layer's job, the same for every provider.
public protocol ClusterProvider: Sendable {
    /// The `--backend` name, recorded with every run: its ``Backend``'s (`kind`, `existing`, `gke`...).
    var name: String { get }

    /// Checks the provider's own prerequisites (tools, daemons, ports), every blocking problem
    /// in the report. `creatingCluster` is true when the cluster does not exist yet. Runs call
    /// ``preflight(_:creatingCluster:)``, which adds ``existingClusterProblems(_:)``.
    /// - Throws: a ``Problem`` when nothing further can be checked (`.notImplemented`, say).
    func checkPrerequisites(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport

    func clusterExists(_ cluster: ClusterSpec) async throws -> Bool

    /// Creates the cluster, or reuses it when it exists. `exists` is what ``clusterExists(_:)``
    /// answered at this run's preflight a moment before (the run holds the cluster's lock),
    /// so the provider need not ask again.
    func ensureCluster(_ cluster: ClusterSpec, exists: Bool) async throws -> ClusterProvisioning

    /// Deletes the cluster. Deleting a cluster that does not exist is not an error.
    func deleteCluster(_ cluster: ClusterSpec) async throws

    /// The kubeconfig context that reaches the cluster.
    func kubeContext(for cluster: ClusterSpec) -> String

    /// Optional capability: a host directory that keeps volume data across cluster
    /// recreation (kind's data mount), which `provision down --purge-data` may delete.
    /// `nil` when the provider keeps no such directory.
    func dataDirectory(for cluster: ClusterSpec) throws -> URL?

    /// Whether the provider made the cluster and may delete it. `down` deletes a cluster the
    /// provider owns; from any other it removes the stack, component by component.
    var ownsCluster: Bool { get }

    /// The context and API server a run reaches, recorded once preflight passed.
    func target(for cluster: ClusterSpec) async -> ClusterTarget

    /// What keeps a cluster that exists from being used: its nodes are stopped, or it was made
    /// without what the stack needs from it. Each with its fix; empty when it can be used.
    /// `status` asks this before any component; ``preflight(_:creatingCluster:)`` always does.
    func existingClusterProblems(_ cluster: ClusterSpec) async -> [Problem]

    /// Where the stack's ingress is published on this machine (kind: `http://localhost/`, from
    /// the config's port mapping), or nil when the provider publishes none of its own.
    func publishedIngress(for cluster: ClusterSpec) -> String?

    /// The provider's own way out of troubles the deployment layer meets (a lost kubeconfig
    /// context, an API server that refuses, an edge nothing answers on); the layer says
    /// something neutral where the provider has nothing better.
    func remedies(for cluster: ClusterSpec) -> ClusterRemedies

    /// Optional capability: registries that keep images across cluster recreation
    /// (``ImageCaches``), or why the provider keeps none for this cluster.
    func imageCaches(for cluster: ClusterSpec) -> ImageCacheSupport
}

/// What a provider advises when the deployment layer meets trouble with its cluster, each as
/// the "fix" a person reads; nil leaves the deployment layer's neutral advice.
public struct ClusterRemedies: Sendable, Hashable {
    /// The kubeconfig no longer has the cluster's context.
    public var missingContext: String?
    /// The cluster's API server refuses connections.
    public var unreachableAPIServer: String?
    /// Nothing answers where the provider publishes the edge (``ClusterProvider/publishedIngress(for:)``).
    public var silentEdge: String?
    /// Something other than the edge answers there.
    public var foreignEdge: String?

    public init(
        missingContext: String? = nil, unreachableAPIServer: String? = nil, silentEdge: String? = nil,
        foreignEdge: String? = nil
    ) {
        self.missingContext = missingContext
        self.unreachableAPIServer = unreachableAPIServer
        self.silentEdge = silentEdge
        self.foreignEdge = foreignEdge
    }
}

extension ClusterProvider {
    public func dataDirectory(for cluster: ClusterSpec) throws -> URL? { nil }
    public var ownsCluster: Bool { true }
    public func target(for cluster: ClusterSpec) async -> ClusterTarget {
        ClusterTarget(context: kubeContext(for: cluster), server: nil)
    }
    public func existingClusterProblems(_ cluster: ClusterSpec) async -> [Problem] { [] }
    public func publishedIngress(for cluster: ClusterSpec) -> String? { nil }
    public func remedies(for cluster: ClusterSpec) -> ClusterRemedies { ClusterRemedies() }
    public func imageCaches(for cluster: ClusterSpec) -> ImageCacheSupport {
        .unavailable(reason: "the \(name) backend keeps no image caches: the cluster pulls every image from its registry")
    }

    /// The provider's prerequisites and, for a cluster that exists, what keeps it from being
    /// used: every blocking problem at once, thrown as one (kind `.preflight`). Not a
    /// requirement, so no provider can leave the existing cluster's check out.
    public func preflight(_ cluster: ClusterSpec, creatingCluster: Bool) async throws -> PreflightReport {
        var report = try await checkPrerequisites(cluster, creatingCluster: creatingCluster)
        if !creatingCluster { report.blocking += await existingClusterProblems(cluster) }
        if let problem = Problem.all(report.blocking, kind: .preflight) { throw problem }
        report.blocking = []
        return report
    }
}
