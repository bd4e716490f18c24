import Foundation

/// Stable identifier of a component, e.g. `postgres-pgvector`.
/// It is also the value of the ``ComponentLabel/key`` label that every object
/// the component owns carries in the rendered manifests under `k8s/`.
public struct ComponentID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The label that ties a rendered Kubernetes object to the component that owns it.
public enum ComponentLabel {
    public static let key = "wrightnow/component"
}

/// A deployable part of the stack: what it needs first, what the manifests cannot say
/// about it, and how to check it works.
///
/// Components are declarations; the deployment layer carries them out. What a component
/// runs is in its manifests under `k8s/` (the objects labelled with its id), so by default
/// it is ready when every workload there is: nothing here repeats them.
/// Adding a service means one new conforming type plus its manifests.
public protocol Component: Sendable {
    var id: ComponentID { get }
    /// One line for `provision components` and `provision plan`.
    var summary: String { get }
    /// Components whose steps must succeed before this one starts.
    var dependencies: [ComponentID] { get }
    /// Where the component's Kubernetes objects come from.
    var resources: ResourceSource { get }
    /// Secrets that must exist before the resources are applied.
    var secrets: [SecretSpec] { get }
    /// What must hold before dependents may start; by default every rendered workload.
    var readiness: Readiness { get }
    /// Functional checks run once the component is ready.
    var smokeChecks: [SmokeCheck] { get }
    /// Optional components are deployed only when selected explicitly.
    var isOptional: Bool { get }
    /// What the run summary tells the user once the component is up: URLs, how to log in.
    var accessNotes: [AccessNote] { get }
}

extension Component {
    public var dependencies: [ComponentID] { [] }
    public var resources: ResourceSource { .overlay }
    public var secrets: [SecretSpec] { [] }
    public var readiness: Readiness { .workloads }
    public var smokeChecks: [SmokeCheck] { [] }
    public var isOptional: Bool { false }
    public var accessNotes: [AccessNote] { [] }
}

/// Where a component's objects come from.
public enum ResourceSource: Sendable, Hashable {
    /// The objects of the rendered overlay (`k8s/overlays/<name>`) labelled
    /// `wrightnow/component: <component id>`. `k8s/` stays the single source of truth.
    case overlay
    /// Upstream manifests applied as they are (the edge's CRDs and controllers), described by
    /// the pin file of this name (`pins/<name>`) that the overlay selects: its own, or that of
    /// a kustomize Component it lists. The file names each manifest's URL and the SHA-256 of its
    /// exact bytes; a download whose digest differs is refused. An overlay that selects no such
    /// file has nothing for the component, whose step is then skipped.
    case pinnedManifest(String)
    /// The objects of another kustomization under `k8s/` (path relative to `k8s/`), rendered
    /// on its own and labelled like the overlay's. For optional parts kept out of the
    /// default overlay.
    case kustomization(String)
}

/// The kinds of workload whose rollout the deployment layer can wait for.
public enum WorkloadKind: String, Sendable, Hashable, Codable {
    case deployment, statefulSet = "statefulset", daemonSet = "daemonset"
}

/// A condition the deployment layer waits for before a component counts as ready.
public enum ReadinessCheck: Sendable, Hashable {
    /// The workload has rolled out: all replicas updated and ready.
    case rolledOut(WorkloadKind, name: String, namespace: String)
    /// A Job has completed (or finished and was removed by its TTL).
    case jobCompleted(name: String, namespace: String)
    /// A namespace exists and is Active.
    case namespaceActive(String)
    /// An object's status condition `condition` is True: a CRD `Established`, a GatewayClass
    /// `Accepted`, a Gateway `Programmed`. `resource` is its API resource type
    /// (`gateway`); `namespace` is nil for cluster-scoped objects.
    case conditionTrue(resource: String, name: String, namespace: String?, condition: String)
    /// A route (an HTTPRoute) is attached: the parent it names reports it `Accepted` with its
    /// backends resolved (`ResolvedRefs`). Route conditions are per parent, not top-level.
    case routeAttached(resource: String, name: String, namespace: String)
}

/// When a component counts as ready. As Flux's `wait: true`: every workload among the
/// component's rendered objects (Deployments, StatefulSets and DaemonSets rolled out,
/// Jobs complete, Namespaces Active, CRDs established, Gateways programmed, routes attached),
/// plus any checks the manifests cannot express.
public struct Readiness: Sendable, Hashable {
    /// Wait for every workload the component's rendered objects contain.
    public var includesWorkloads: Bool
    /// Checks beyond the rendered workloads, or instead of them.
    public var checks: [ReadinessCheck]

    public init(includesWorkloads: Bool, checks: [ReadinessCheck]) {
        self.includesWorkloads = includesWorkloads
        self.checks = checks
    }

    /// The default: every rendered workload.
    public static let workloads = Readiness(includesWorkloads: true, checks: [])
    /// Every rendered workload, then these checks.
    public static func workloads(plus checks: [ReadinessCheck]) -> Readiness {
        Readiness(includesWorkloads: true, checks: checks)
    }
    /// Only these checks, overriding what the manifests contain.
    public static func only(_ checks: [ReadinessCheck]) -> Readiness {
        Readiness(includesWorkloads: false, checks: checks)
    }
}

/// One line of the run summary for a component that is up.
public struct AccessNote: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case text(String)
        /// A generated value: the summary says where it is kept, or shows it when asked.
        case secret(name: String, key: String)
        /// A value the component's own software generates in the cluster (not provision's
        /// vault): key `key` of Secret `name` in `namespace`. The summary says how to read it
        /// from the cluster; only `up --show-secrets` reads it, to show the value.
        case clusterSecret(namespace: String, name: String, key: String)
    }
    /// `URL`, `log in as`, `password`.
    public var label: String
    public var value: Value
    public init(_ label: String, _ value: Value) {
        self.label = label
        self.value = value
    }
}

/// A functional check after readiness: proves the service answers, not just that pods run.
public enum SmokeCheck: Sendable, Hashable {
    /// Runs `command` inside `pod` (container optional); succeeds when it exits 0 and,
    /// if given, its output contains `expecting`.
    case exec(namespace: String, pod: String, container: String?, command: [String], expecting: String?)
    /// An HTTP GET from the host; succeeds on 2xx whose body parses as JSON when `expectJSON`.
    case httpGet(url: String, expectJSON: Bool)
    /// A web page from the host, as a browser loads it: the page answers 2xx, every script and
    /// stylesheet it references lies under the page's own first path segment (a UI served under
    /// a sub-path such as `/auth/` really uses it), and its first script and first stylesheet
    /// answer 2xx.
    case webPage(url: String)
    /// An HTTP GET of `path` where the cluster publishes its ingress on this machine (kind:
    /// the config's host port for the node's port 80); succeeds when it answers `status` (the
    /// ingress controller's default backend answers 404 for a path no Ingress routes). Catches a
    /// broken host port mapping as soon as the controller is ready. Skipped (and said so) on a
    /// cluster whose provider publishes no ingress of its own.
    case publishedIngress(path: String, status: Int)
}

/// A Kubernetes Secret that the tool generates on first use and reuses afterwards.
public struct SecretSpec: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        /// A fixed, non-sensitive value (a user name, a database name).
        case literal(String)
        /// A random alphanumeric value of the given length, generated once.
        case random(length: Int)
    }

    public var name: String
    public var namespace: String
    /// Key order is preserved for stable files and manifests.
    public var keys: [(key: String, value: Value)]

    public init(name: String, namespace: String, keys: [(String, Value)]) {
        self.name = name
        self.namespace = namespace
        self.keys = keys.map { (key: $0.0, value: $0.1) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.namespace == rhs.namespace
            && lhs.keys.map(\.key) == rhs.keys.map(\.key)
            && lhs.keys.map(\.value) == rhs.keys.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(namespace)
        for entry in keys {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }
}
