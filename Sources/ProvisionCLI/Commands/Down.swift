import ArgumentParser
import Foundation
import ProvisionCore

/// `provision down`: delete the cluster, confirm it is gone, optionally purge the data.
struct Down: RuntimeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete the cluster and confirm it is gone; keep the data unless asked to purge it.",
        discussion: """
            Deletes the cluster (kind: `kind delete cluster`), then checks that the backend no \
            longer lists it. On a cluster provision did not create (--backend existing) it \
            removes the stack instead: each component's labelled objects, dependents before what \
            they depend on, waiting until they are gone; PersistentVolumeClaims and namespaces \
            stay unless --purge-data is given and confirmed. Objects without the component \
            label are never deleted. The host directory that keeps volume data across cluster recreation \
            (the kind config's extraMounts) stays, so the next `provision up` finds PostgreSQL and \
            Redis data again. --purge-data deletes that directory too, as a recorded step of the \
            run, after a confirmation (--yes answers it; without a terminal and without --yes \
            provision refuses). The generated secrets stay in the state directory either way: \
            they belong to that data. The run is recorded in the history.

            Works from any directory: deleting a kind cluster needs no manifests, and the data \
            directory comes from what the run that created the cluster recorded in the state \
            directory.

            The backend's image caches (kind: the pull-through mirrors and the local registry, \
            registry containers with their volumes) are kept, so the next `provision up` pulls \
            nothing it pulled before from the internet. --remove-caches removes them as a last \
            step: only cached images are lost (and images pushed to the local registry).

            EXAMPLES:
              provision down
              provision down --purge-data          asks before deleting the data directory
              provision down --purge-data --yes    for scripts
              provision down --remove-caches       also remove the image caches
              provision down --backend existing --context team-staging
                                                   remove the stack, keep claims and namespaces
            """)

    @OptionGroup var target: TargetOptions

    @Flag(help: "Also delete the host directory that keeps volume data across cluster recreation.")
    var purgeData = false

    @Flag(help: "Also remove the image caches (registry containers and their volumes) that outlive the cluster.")
    var removeCaches = false

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation before purging data.")
    var yes = false

    @Option(help: ArgumentHelp(
        "Seconds each component's objects may take to be gone (--backend existing).", valueName: "seconds"))
    var timeout: Int = 300

    @OptionGroup var state: StateOptions

    func run(in runtime: Runtime) async throws {
        try state.checkLocation(in: runtime)
        // Deleting a kind cluster needs no manifests: its name, and the data directory the run
        // that created it recorded. Removing the stack from an existing cluster needs them.
        let cluster = try await TargetCluster(
            target: target, state: state, runtime: runtime, manifestsRequired: false)
        if !cluster.hasManifests, !cluster.provider.ownsCluster {
            throw Problem(
                .usage,
                problem: "removing the stack from a cluster provision did not create needs its manifests, and no "
                    + "k8s/ directory was found here (nor recorded for cluster \(cluster.spec.name))",
                fix: "run provision inside the repository, or pass `--manifests path/to/repo/k8s`")
        }
        let dataDirectory = try self.dataDirectory(of: cluster)
        let caches = cluster.provider.imageCaches(for: cluster.spec)
        if removeCaches, case .unavailable(let reason) = caches {
            throw Problem(
                .usage, problem: "--remove-caches: there are no image caches to remove here: \(reason)",
                fix: "run `provision down` without --remove-caches (run it inside the repository for a kind cluster)")
        }
        if purgeData, !cluster.provider.ownsCluster {
            try confirm(
                "Delete every PersistentVolumeClaim of the stack and its namespaces on context "
                    + "`\(cluster.provider.kubeContext(for: cluster.spec))`? All PostgreSQL and Redis data is lost.",
                what: "every PersistentVolumeClaim and namespace of the stack on context "
                    + "`\(cluster.provider.kubeContext(for: cluster.spec))`",
                console: runtime.console)
        } else if purgeData {
            guard let dataDirectory else {
                throw Problem(
                    .usage,
                    problem: "--purge-data: the \(cluster.provider.name) backend keeps no data directory for "
                        + "cluster \(cluster.spec.name) (nothing outside the cluster holds its volumes)",
                    fix: "run `provision down` without --purge-data")
            }
            try confirm(
                "Delete the cluster and all volume data in \(dataDirectory.path)? This cannot be undone.",
                what: "\(dataDirectory.path) (all PostgreSQL and Redis data)", console: runtime.console)
        }

        // From a cluster provision did not create, every registered component is removed
        // (optional ones included: removing what was never deployed deletes nothing).
        let removalPlan = try Plan(components: runtime.catalog, includeOptional: true)
        let store = try StoreAccess.open(state, in: runtime)
        let driver = RunDriver(
            command: "down", cluster: cluster, store: store, options: DeployOptions(readinessTimeout: .seconds(timeout)))
        let report = try await driver.run { [purgeData, removeCaches] deployer, invocation in
            try await deployer.down(
                cluster: cluster.spec, plan: removalPlan, purgeData: purgeData, removeCaches: removeCaches,
                invocation: invocation)
        }
        if report.succeeded, purgeData, cluster.provider.ownsCluster {
            ClusterRecord.remove(cluster: cluster.spec.name, stateDirectory: cluster.stateDirectory)
        }
        guard report.succeeded else {
            throw RecordedFailure(
                problem: report.problem ?? Problem(problem: "deleting the cluster failed", fix: "see provision history"),
                run: report.runID)
        }
        runtime.console.out("")
        // Each step's note is on its progress line; only one that line shortened comes again, whole.
        for step in report.steps {
            guard let note = step.note, Format.summary(note, limit: ProgressPrinter.detailLimit) != note else { continue }
            runtime.console.out("\(step.label): \(note)")
        }
        if !purgeData, let dataDirectory, FileManager.default.fileExists(atPath: dataDirectory.path) {
            runtime.console.out(
                "Kept the data directory \(dataDirectory.path) (delete it with `provision down --purge-data`).")
        }
        if !removeCaches, let kept = try? await caches.caches?.survey(sizes: false), !kept.isEmpty {
            runtime.console.out(
                "Kept \(kept.count) image caches for the next cluster (\(kept.map(\.serves).joined(separator: ", "))); "
                    + "`provision down --remove-caches` removes them.")
        }
        runtime.console.out("History of this run: provision history \(report.runID.rawValue)")
    }

    /// The provider's data directory, if it keeps one. Only `--purge-data` needs it to be
    /// readable: a broken kind config must not stop a plain `down`.
    private func dataDirectory(of cluster: TargetCluster) throws -> URL? {
        do {
            return try cluster.provider.dataDirectory(for: cluster.spec)
        } catch {
            guard purgeData else { return nil }
            throw Problem(error).reported(as: .usage)
        }
    }

    /// Asks before anything is deleted, so a "no" leaves the cluster running too.
    private func confirm(_ question: String, what: String, console: Console) throws {
        if yes { return }
        guard console.standardInputIsTerminal else {
            throw Problem(
                .usage,
                problem: "--purge-data would delete \(what) and there is no terminal to confirm it",
                fix: "add --yes to confirm, or run without --purge-data to keep the data")
        }
        guard console.confirm(question) else {
            throw Problem(
                .usage, problem: "nothing was deleted (not confirmed)",
                fix: "run `provision down` to delete the cluster and keep the data")
        }
    }
}
