import ArgumentParser
import ProvisionCore

/// `provision plan`: the order and the waves, computed from the registered components only.
struct PlanCommand: RuntimeCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the deployment order and which components run side by side, touching nothing.",
        discussion: """
            Computes the plan `provision up` would follow from the registered components: no \
            cluster is contacted, no file is written, the history is not touched.

            The text format ends with the image caches the backend would run: for --backend kind \
            the local registry and a pull-through mirror for each registry the stack's images \
            come from (named by `provision up` once it has rendered them, and by `provision \
            status`); other backends say that they keep none.

            A wave groups components whose longest chain of dependencies has the same length; \
            during `up` each component starts as soon as its own dependencies have succeeded, so \
            components of one wave (and sometimes of the next) run side by side.

            EXAMPLES:
              provision plan
              provision plan --only authentik
              provision plan --with authentik-redis
              provision plan --down         the removal order on a cluster provision did not create
              provision plan --format mermaid --with authentik-redis
                                            the dependency graph as a mermaid flowchart, for Markdown
            """)

    /// What `provision plan` prints.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        /// The table of components and the waves.
        case text
        /// A mermaid flowchart of the dependency graph (``MermaidPlan``), which GitHub draws.
        case mermaid
    }

    @OptionGroup var selection: SelectionOptions

    @OptionGroup var target: TargetOptions

    @Flag(help: "Show the order `provision down` removes the stack in from a cluster it did not create.")
    var down = false

    @Option(help: ArgumentHelp(
        "text: the order and the waves; mermaid: the dependency graph as a mermaid flowchart, an arrow "
            + "from each component to what depends on it (with --down reversed: to what it depends on, "
            + "removed after it).",
        valueName: "format"))
    var format: Format = .text

    func run(in runtime: Runtime) async throws {
        let plan = try selection.plan(in: runtime)
        switch format {
        case .text where down:
            runtime.console.out(PlanPrinter.renderRemoval(plan))
        case .text:
            runtime.console.out(PlanPrinter.render(plan))
            runtime.console.out("")
            runtime.console.out(try await imageCaches(in: runtime))
        case .mermaid:
            runtime.console.out(MermaidPlan.render(plan, removal: down))
        }
    }
}

extension PlanCommand {
    /// The image caches `up` would start, or why there are none. Touches nothing: no tool
    /// runs and nothing is rendered, so the mirrors are named by what they serve only once
    /// `up` has rendered the images.
    func imageCaches(in runtime: Runtime) async throws -> String {
        let backend = try target.selectedBackend(among: runtime.backends)
        guard let spec = try? target.clusterSpec(in: runtime) else {
            return "Image caches (--backend \(backend.name)): not known here, there is no k8s/ directory"
        }
        // Which caches a provider keeps depends on its configuration, never on the context: a
        // named one spares the existing backend from asking kubectl for the current context.
        let provider = try await backend.makeProvider(
            BackendRequest(runner: runtime.runner, context: target.context ?? "(not needed by plan)"))
        switch provider.imageCaches(for: spec) {
        case .unavailable(let reason):
            return "Image caches (--backend \(backend.name)): none. \(reason.prefix(1).uppercased() + reason.dropFirst())."
        case .available(let caches):
            return (["Image caches (--backend \(backend.name)), started before the cluster is made and kept by `provision down`:"]
                + caches.describe(for: []).map { "  " + $0 }).joined(separator: "\n")
        }
    }
}

/// The text `provision plan` prints.
enum PlanPrinter {
    /// The waves reversed: dependents are removed before what they depend on.
    static func renderRemoval(_ plan: ProvisionCore.Plan) -> String {
        var lines = [
            "Removal: \(plan.order.count) components in \(plan.waves.count) waves, dependents first "
                + "(`provision down --backend existing`; claims and namespaces stay unless --purge-data)",
            "",
        ]
        for (index, wave) in plan.waves.reversed().enumerated() {
            lines.append("  wave \(index + 1): \(wave.map(\.rawValue).joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ plan: ProvisionCore.Plan) -> String {
        var lines: [String] = []
        lines.append("Plan: \(plan.order.count) components in \(plan.waves.count) waves "
            + "(after preflight and creating or reusing the cluster)")
        lines.append("")
        let rows = plan.order.enumerated().map { index, id in
            let dependencies = plan.dependencies(of: id).map(\.rawValue).joined(separator: ", ")
            return ["\(index + 1)", id.rawValue, "\(plan.waveNumber(of: id) ?? 0)", dependencies.isEmpty ? "-" : dependencies]
        }
        lines.append(Format.table(header: ["#", "COMPONENT", "WAVE", "DEPENDS ON"], rows: rows)
            .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        lines.append("")
        lines.append("Waves (components in one wave run side by side):")
        for (index, wave) in plan.waves.enumerated() {
            lines.append("  wave \(index + 1): \(wave.map(\.rawValue).joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
