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
        // kind's own rule (pkg/internal/apis/config/validate.go validNameRE, and create.go's
        // clusterNameMax): the name becomes part of container and context names.
        guard cluster.wholeMatch(of: /[a-z0-9.-]+/) != nil, cluster.count <= 50 else {
            throw ValidationError(
                "cluster name '\(cluster)' is not valid: kind's rule is lowercase letters, digits, '.' and '-' "
                    + "(^[a-z0-9.-]+$), at most 50 characters")
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

    /// Where `--state-dir` or `PROVISION_STATE_DIR` came from, for messages.
    func source(in context: CommandContext) -> String {
        if let stateDirectory, !stateDirectory.isEmpty { return "--state-dir" }
        if let value = context.environment["PROVISION_STATE_DIR"], !value.isEmpty { return "PROVISION_STATE_DIR" }
        if let value = context.environment["XDG_STATE_HOME"], !value.isEmpty { return "XDG_STATE_HOME" }
        return "the default state directory"
    }

    /// A state directory that is a file, that cannot be created, or whose `state.sqlite` is a
    /// directory: a state-store problem (exit 5) with the path and the fix, for every command,
    /// read-only ones included, before anything else happens.
    func checkLocation(in context: CommandContext) throws {
        let manager = FileManager.default
        let database = databaseFile(in: context)
        let directory = database.deletingLastPathComponent()
        let fix = "point \(source(in: context)) at a directory you may write (e.g. `--state-dir ~/.local/state/provision`)"
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw Problem(
                    .stateStore, problem: "the state directory \(directory.path) is a file, not a directory",
                    fix: "move the file away, or " + fix)
            }
            if manager.fileExists(atPath: database.path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw Problem(
                    .stateStore, problem: "the state database \(database.path) is a directory, not a file",
                    fix: "move it aside (`mv \(database.path) \(database.path).broken`), or " + fix)
            }
            return
        }
        // Not there yet: the nearest existing ancestor must be a directory we may write into.
        var ancestor = directory.deletingLastPathComponent()
        while !manager.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), ancestor.path != "/" {
            ancestor = ancestor.deletingLastPathComponent()
        }
        if !isDirectory.boolValue {
            throw Problem(
                .stateStore,
                problem: "the state directory \(directory.path) cannot be created: \(ancestor.path) is a file",
                fix: fix)
        }
        if !manager.isWritableFile(atPath: ancestor.path) {
            throw Problem(
                .stateStore,
                problem: "the state directory \(directory.path) cannot be created: \(ancestor.path) is not writable",
                fix: fix)
        }
    }
}
