/// A provider's optional capability: registries outside the cluster that keep the images its
/// nodes pull, so that a cluster made again pulls nothing from the internet, and a registry for
/// images built on this machine (kind: registry containers with volumes that `down` keeps).
///
/// The engine only orders the work: the caches start after preflight, before the cluster is
/// made (the images are known by then: the components are prepared in between), each image
/// is pulled through them while the cluster is being made (a `pull` step each, a failure only
/// a warning), and `down` keeps them unless asked to remove them.
public protocol ImageCaches: Sendable {
    /// One line per cache the run would use for `images`, for `provision plan`.
    func describe(for images: [String]) -> [String]

    /// Starts the caches `images` need (and creates what is missing of them), and makes the
    /// cluster use them. Runs before the cluster is made and on every `up`.
    /// - Returns: the step's note, and the images that can be warmed up through a cache.
    /// - Throws: before changing anything, a ``Problem`` of kind `.preflight` listing everything
    ///   that keeps the caches from starting (a port taken, a container of a cache's name that
    ///   is not one, a cache from an incompatible version), each with its fix.
    func start(for images: [String]) async throws -> CacheStart

    /// Pulls `image` through its cache so that the cluster finds it there.
    /// - Returns: the step's note.
    func warmUp(_ image: String) async throws -> String?

    /// Every cache this machine holds, as it is now, for `provision status`; with `sizes`, how
    /// much each holds (which may take the provider's tool a while to count).
    func survey(sizes: Bool) async throws -> [CacheStatus]

    /// Removes every cache and what it holds (`provision down --remove-caches`).
    /// - Returns: the step's note.
    func remove() async throws -> String
}

/// What starting the caches did, and what can be warmed up through them.
public struct CacheStart: Sendable, Hashable {
    public var note: String
    /// The images a cache serves, in the order given: each gets a `pull` step.
    public var warmable: [String]
    /// Caches that could not start: the cluster then pulls what they serve itself, so the
    /// run goes on and says so.
    public var warnings: [PreflightWarning]
    public init(note: String, warmable: [String], warnings: [PreflightWarning] = []) {
        self.note = note
        self.warmable = warmable
        self.warnings = warnings
    }
}

/// One cache as `provision status` lists it.
public struct CacheStatus: Sendable, Hashable, Codable {
    /// `mirror` (a pull-through cache of an upstream registry) or `registry` (images pushed here).
    public var role: String
    /// What it serves: the upstream registry (`docker.io`) or its own address (`localhost:5001`).
    public var serves: String
    /// Where it runs: the container's name.
    public var name: String
    /// `running`, `exited`, `missing`...
    public var state: String
    /// How much its storage holds, as the provider's tool reports it (`12.35MB`), when known.
    public var size: String?

    public init(role: String, serves: String, name: String, state: String, size: String?) {
        self.role = role
        self.serves = serves
        self.name = name
        self.state = state
        self.size = size
    }
}

/// Whether a provider keeps image caches for a cluster, and why not.
public enum ImageCacheSupport: Sendable {
    case available(any ImageCaches)
    /// Said by `provision plan`: the provider, or its configuration, keeps none.
    case unavailable(reason: String)

    public var caches: (any ImageCaches)? {
        if case .available(let caches) = self { return caches }
        return nil
    }
}
