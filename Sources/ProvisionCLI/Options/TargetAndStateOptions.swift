import ArgumentParser
import Backends
import Foundation
import ProvisionCore
import RunHistory

extension RunOutcome: ExpressibleByArgument {}

/// Which cluster a command works on: `--backend`, `--cluster`, `--manifests`, `--overlay`.
struct TargetOptions: ParsableArguments {
    /// `--cluster`'s default, the seed's cluster name.
    static let defaultCluster = "wrightnow"

    @Option(help: ArgumentHelp(
        "Where the cluster runs: \(BackendRegistry.all.map(\.name).joined(separator: ", ")). "
            + BackendRegistry.all.map(\.summary).joined(separator: "; ") + ".",
        valueName: "name"))
    var backend: String = BackendRegistry.default.name

    @Option(help: ArgumentHelp("Name of the cluster.", valueName: "name"))
    var cluster: String = TargetOptions.defaultCluster

    /// `--manifests`' help, also for commands that read the manifests without a cluster.
    static let manifestsHelp = ArgumentHelp(
        "The k8s/ directory to deploy from (default: the nearest k8s/ holding overlays/, "
            + "searched upward from the current directory).",
        valueName: "dir")

    @Option(help: TargetOptions.manifestsHelp)
    var manifests: String?

    @Option(help: ArgumentHelp("The overlay under <manifests>/overlays to deploy.", valueName: "name"))
    var overlay: String = "local"

    @Option(help: ArgumentHelp(
        "The kubeconfig context of the cluster (backends that take one: "
            + BackendRegistry.all.filter(\.takesContext).map(\.name).joined(separator: ", ")
            + "; default: kubectl's current context).",
        valueName: "name"))
    var context: String?

    /// The backend `--backend` names among `backends`, with its rules for `--cluster` and
    /// `--context` applied: a usage problem (exit 2) for anything it refuses.
    func selectedBackend(among backends: [Backend]) throws -> Backend {
        guard let selected = BackendRegistry.named(backend, in: backends) else {
            throw Problem(
                .usage, problem: "there is no backend '\(backend)'",
                fix: "pass --backend with one of: \(backends.map(\.name).joined(separator: ", "))")
        }
        if context != nil, !selected.takesContext {
            let taking = backends.filter(\.takesContext).map { "--backend \($0.name)" }.joined(separator: " or ")
            throw Problem(
                .usage, problem: "--context goes with \(taking); the \(backend) backend names its own context",
                fix: "leave out --context, or pick a backend that takes one")
        }
        if let problem = selected.clusterNameProblem(cluster) {
            throw Problem(.usage, problem: problem, fix: "pick a --cluster name that follows the rule")
        }
        return selected
    }

    /// The cluster spec, with the manifests directory located (throws when there is none).
    func clusterSpec(in runtime: Runtime) throws -> ClusterSpec {
        try Self.clusterSpec(cluster: cluster, manifests: manifests, overlay: overlay, in: runtime)
    }

    /// The spec of `cluster` with `overlay` of the located manifests directory: a usage
    /// problem when there is no `k8s/` or no such overlay, naming the overlays there are.
    static func clusterSpec(cluster: String, manifests: String?, overlay: String, in runtime: Runtime) throws
        -> ClusterSpec
    {
        let root = try ManifestsLocator.locate(explicit: manifests, from: runtime.workingDirectory)
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
    func databaseFile(in runtime: Runtime) -> URL {
        var environment = runtime.environment
        if let stateDirectory, !stateDirectory.isEmpty {
            let absolute = URL(filePath: stateDirectory, directoryHint: .isDirectory, relativeTo: runtime.workingDirectory)
            environment["PROVISION_STATE_DIR"] = absolute.standardizedFileURL.path
        }
        return StateStore.defaultLocation(environment: environment)
    }

    /// The directory holding the database, the secrets and anything else provision keeps.
    func directory(in runtime: Runtime) -> URL { databaseFile(in: runtime).deletingLastPathComponent() }

    /// Where `--state-dir` or `PROVISION_STATE_DIR` came from, for messages.
    func source(in runtime: Runtime) -> String {
        if let stateDirectory, !stateDirectory.isEmpty { return "--state-dir" }
        if let value = runtime.environment["PROVISION_STATE_DIR"], !value.isEmpty { return "PROVISION_STATE_DIR" }
        if let value = runtime.environment["XDG_STATE_HOME"], !value.isEmpty { return "XDG_STATE_HOME" }
        return "the default state directory"
    }

    /// A state directory that is a file, that cannot be created, or whose `state.sqlite` is a
    /// directory: a state-store problem (exit 5) with the path and the fix, for every command,
    /// read-only ones included, before anything else happens.
    func checkLocation(in runtime: Runtime) throws {
        let manager = FileManager.default
        let database = databaseFile(in: runtime)
        let directory = database.deletingLastPathComponent()
        let fix = "point \(source(in: runtime)) at a directory you may write (e.g. `--state-dir ~/.local/state/provision`)"
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
