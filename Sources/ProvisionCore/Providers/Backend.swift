import ProcessRunning
/// What `--backend NAME` stands for: the rules the command line applies to it, and how its
/// provider is made. Each provider type declares its own; the registry lists them, so the
/// command line knows no backend by name.
public struct Backend: Sendable {
    /// The `--backend` value, also recorded with every run: `kind`, `existing`.
    public let name: String
    /// One line for `--help`.
    public let summary: String
    /// Whether `--context` applies (a provider that names its own context refuses it).
    public let takesContext: Bool
    /// Why `name` cannot name a cluster of this backend, with the rule; nil when it can.
    public let clusterNameProblem: @Sendable (_ name: String) -> String?
    /// Makes the provider: for one run, against its runner.
    public let makeProvider: @Sendable (BackendRequest) async throws -> any ClusterProvider

    public init(
        name: String, summary: String, takesContext: Bool = false,
        clusterNameProblem: @escaping @Sendable (String) -> String? = { _ in nil },
        makeProvider: @escaping @Sendable (BackendRequest) async throws -> any ClusterProvider
    ) {
        self.name = name
        self.summary = summary
        self.takesContext = takesContext
        self.clusterNameProblem = clusterNameProblem
        self.makeProvider = makeProvider
    }
}

/// What a backend's provider is made from.
public struct BackendRequest: Sendable {
    /// Runs every subprocess of the provider.
    public var runner: any CommandRunner
    /// `--context`, for backends that take it.
    public var context: String?
    /// Says something to the user while the provider is made (which context it resolved, say).
    public var say: @Sendable (String) -> Void

    public init(runner: any CommandRunner, context: String? = nil, say: @escaping @Sendable (String) -> Void = { _ in }) {
        self.runner = runner
        self.context = context
        self.say = say
    }
}
