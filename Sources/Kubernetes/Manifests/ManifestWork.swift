import Synchronization

/// Counts the manifest work done on behalf of a task: kustomizations rendered
/// (`kubectl kustomize`) and multi-document YAML streams parsed, each counted where it
/// happens. `provision-bench` reports them, and tests hold a run to one of each with them.
///
/// The counter is task-local (child tasks and `Task {}` inherit it), so runs side by side,
/// as the test suite's, each count their own; without one nothing is counted.
public final class ManifestWork: Sendable {
    @TaskLocal public static var counter: ManifestWork?

    private let renderCount = Atomic<Int>(0)
    private let parseCount = Atomic<Int>(0)

    public init() {}

    /// Kustomizations rendered.
    public var renders: Int { renderCount.load(ordering: .relaxed) }
    /// Multi-document YAML streams parsed.
    public var parses: Int { parseCount.load(ordering: .relaxed) }

    static func rendered() { counter?.renderCount.wrappingAdd(1, ordering: .relaxed) }
    static func parsed() { counter?.parseCount.wrappingAdd(1, ordering: .relaxed) }
}
