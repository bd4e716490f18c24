import ArgumentParser
import Backends
import Foundation
import ProvisionCore

extension BackendName: ExpressibleByArgument {}
extension RunOutcome: ExpressibleByArgument {}

/// Which cluster a command works on: `--backend`, `--cluster`, `--manifests`, `--overlay`.
struct TargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where the cluster runs: \(BackendName.allCases.map(\.rawValue).joined(separator: ", ")). "
            + "kind makes a local cluster; existing deploys onto a cluster you already have (--context); "
            + "gke, eks and aks are not implemented yet and say so.",
        valueName: "name"))
    var backend: BackendName = .default

    @Option(help: ArgumentHelp("Name of the cluster.", valueName: "name"))
    var cluster: String = "wrightnow"

    @Option(help: ArgumentHelp(
        "The k8s/ directory to deploy from (default: the nearest k8s/ holding overlays/, "
            + "searched upward from the current directory).",
        valueName: "dir"))
    var manifests: String?

    @Option(help: ArgumentHelp("The overlay under <manifests>/overlays to deploy.", valueName: "name"))
    var overlay: String = "local"

    @Option(help: ArgumentHelp(
        "The kubeconfig context of the cluster (--backend existing only; default: kubectl's current context).",
        valueName: "name"))
    var context: String?

    func validate() throws {
        if context != nil, backend != .existing {
            throw ValidationError("--context goes with --backend existing; the \(backend) backend names its own context")
        }
        guard !cluster.isEmpty, cluster.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw ValidationError("cluster name '\(cluster)' may contain only letters, digits and '-'")
        }
    }

    /// The cluster spec, with the manifests directory located (throws when there is none).
    func clusterSpec(in context: CommandContext) throws -> ClusterSpec {
        let root = try ManifestsLocator.locate(explicit: manifests, from: context.workingDirectory)
        let spec = ClusterSpec(name: cluster, manifestsRoot: root, overlay: overlay)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.overlayDirectory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            let known = (try? FileManager.default.contentsOfDirectory(
                atPath: root.appending(path: "overlays").path))?.sorted().joined(separator: ", ") ?? "none"
            throw Problem(
                .usage,
                problem: "overlay '\(overlay)' does not exist: \(spec.overlayDirectory.path) is missing",
                fix: "pick one of the overlays in \(root.appending(path: "overlays").path): \(known)")
        }
        return spec
    }
}

/// Where the history database and generated secrets live: `--state-dir`, `PROVISION_STATE_DIR`.
struct StateOptions: ParsableArguments {
    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Directory of the history database (state.sqlite) and the generated secrets "
                + "(default: $PROVISION_STATE_DIR, else $XDG_STATE_HOME/provision, "
                + "else ~/.local/state/provision).",
            valueName: "dir"))
    var stateDirectory: String?

    /// The database file: in `--state-dir` when given, else where the store's default says.
    func databaseFile(in context: CommandContext) -> URL {
        var environment = context.environment
        if let stateDirectory, !stateDirectory.isEmpty {
            let absolute = URL(filePath: stateDirectory, directoryHint: .isDirectory, relativeTo: context.workingDirectory)
            environment["PROVISION_STATE_DIR"] = absolute.standardizedFileURL.path
        }
        return StateStore.defaultLocation(environment: environment)
    }

    /// The directory holding the database, the secrets and anything else provision keeps.
    func directory(in context: CommandContext) -> URL { databaseFile(in: context).deletingLastPathComponent() }
}
