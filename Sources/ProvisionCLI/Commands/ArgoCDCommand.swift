import ArgumentParser
import Backends
import Foundation
import Kubernetes
import ProcessRunning
import ProvisionCore

/// `provision argocd`: hand the stack over to Argo CD (`export` writes what Argo CD syncs).
struct ArgoCDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argocd",
        abstract: "Hand the stack over to Argo CD: write its Application, ordered by the plan's waves.",
        discussion: """
            EXAMPLES:
              provision argocd export                     k8s/argocd/local for the repository's origin
              provision argocd export --overlay cluster --repo-url https://github.com/OWNER/REPOSITORY.git
            """,
        subcommands: [ArgoCDExportCommand.self])
}

/// `provision argocd export`: the Argo CD Application of an overlay and the kustomization it
/// syncs, written into a directory of the repository (``ArgoCDExport``).
struct ArgoCDExportCommand: RuntimeCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the Argo CD Application of an overlay and the kustomization it syncs, in the plan's order.",
        discussion: """
            Writes into --output (default k8s/argocd/<overlay>): kustomization.yaml (the overlay, \
            the pinned upstream manifests vendored under vendor/ with their exact bytes and a \
            SHA256SUMS, every object annotated argocd.argoproj.io/sync-wave with its component's \
            wave in `provision plan`) and application.yaml (the Argo CD Application \
            wrightnow-<overlay> in namespace argocd, syncing that directory from --repo-url at \
            --revision, automatically, with prune, self-heal and server-side apply). Argo CD \
            applies wave after wave and waits until each is healthy, so it follows the plan's \
            order. No Secret is written: provision generates them on the cluster, and Argo CD \
            neither prunes nor overwrites objects it does not track. The argocd component is \
            never part of it; optional components only with --with, as for `provision up`. \
            No cluster is contacted; pinned manifests come from the cache `up` keeps, else are \
            downloaded and checked against their SHA-256.

            SOURCES: --source origin (the default) has Argo CD clone the repository's remote, so \
            it syncs what you commit and push. --source local-registry (kind) pushes the files \
            under <manifests> as they are in the work tree (new ones too; none that .gitignore \
            excludes) with the export, as one OCI artifact, to the local registry beside the \
            cluster (localhost:5001/wrightnow/stack:<overlay>, at the address \
            k8s/components/kind-registry announces); the Application reads it as \
            oci://provision-registry:5000/wrightnow/stack, and application.yaml also holds the \
            repository Secret that lets Argo CD read that registry over plain HTTP. Run it again \
            after a change: an unchanged tree uploads nothing.

            EXAMPLES:
              provision argocd export
              provision argocd export --source local-registry
              provision argocd export --overlay cluster --revision main
              provision argocd export --repo-url https://github.com/OWNER/REPOSITORY.git --output deploy/argocd
            """)

    /// Where Argo CD reads the export from.
    enum SourceKind: String, ExpressibleByArgument, CaseIterable {
        /// The repository's remote (`--repo-url`, `--revision`): what was committed and pushed.
        case origin
        /// An OCI artifact pushed to the local registry: the work tree as it is, uncommitted
        /// changes included.
        case localRegistry = "local-registry"
    }

    @Option(help: ArgumentHelp(
        "Where Argo CD reads it: origin (the repository's remote, after you commit and push) or local-registry "
            + "(pushed now as an OCI artifact to the local registry beside the kind cluster, local changes included).",
        valueName: "source"))
    var source: SourceKind = .origin

    @Option(help: ArgumentHelp(
        "The repository URL Argo CD clones (default: the URL of the repository's remote origin).",
        valueName: "url"))
    var repoURL: String?

    @Option(help: ArgumentHelp(
        "The branch, tag or commit Argo CD syncs (default: the current branch, else HEAD).",
        valueName: "rev"))
    var revision: String?

    @Option(help: TargetOptions.manifestsHelp)
    var manifests: String?

    @Option(help: ArgumentHelp("The overlay under <manifests>/overlays to hand over.", valueName: "name"))
    var overlay: String = "local"

    @Option(parsing: .upToNextOption, help: SelectionOptions.withHelp)
    var with: [String] = []

    @Option(help: ArgumentHelp(
        "The directory to write, inside the repository (default: <manifests>/argocd/<overlay>).",
        valueName: "dir"))
    var output: String?

    @OptionGroup var state: StateOptions

    func run(in runtime: Runtime) async throws {
        let withIDs = with.flatMap { $0.split(whereSeparator: { $0 == "," || $0.isWhitespace }) }
        if withIDs.contains(Substring(ArgoCDExport.argoCDComponent.rawValue)) {
            throw Problem(
                .usage, problem: "the argocd component is never part of what Argo CD syncs: Argo CD does not manage itself here",
                fix: "leave argocd out of --with; deploy Argo CD with `provision up --with argocd`")
        }
        let plan = try SelectionOptions.plan(
            only: [], with: with, among: runtime.catalog.filter { $0.id != ArgoCDExport.argoCDComponent })
        let spec = try TargetOptions.clusterSpec(
            cluster: TargetOptions.defaultCluster, manifests: manifests, overlay: overlay, in: runtime)
        let outputDirectory = output.map {
            URL(filePath: $0, directoryHint: .isDirectory, relativeTo: runtime.workingDirectory).standardizedFileURL
        } ?? spec.manifestsRoot.appending(path: "argocd").appending(path: overlay).standardizedFileURL

        guard let checkout = try await GitCheckout.containing(spec.manifestsRoot, runner: runtime.runner) else {
            throw Problem(
                .usage, problem: "\(spec.manifestsRoot.path) is not in a git repository, and Argo CD reads what it syncs from one",
                fix: "commit the repository (`git init`, `git add`, `git commit`) and push it where Argo CD can clone it")
        }
        guard RelativePath.isInside(outputDirectory, checkout.root) else {
            throw Problem(
                .usage, problem: "--output \(outputDirectory.path) is outside the repository \(checkout.root.path), "
                    + "where Argo CD cannot read it",
                fix: "pass an --output inside the repository (the default is \(spec.manifestsRoot.path)/argocd/\(overlay))")
        }
        let path = RelativePath.from(checkout.root, to: outputDirectory)
        let origin: ArgoCDExport.Origin
        var registry: LocalRegistryHosting?
        switch source {
        case .origin:
            let branch = if let revision { revision } else { await checkout.branch() }
            origin = ArgoCDExport.Origin(repoURL: try await gitRepoURL(checkout), revision: branch, path: path)
        case .localRegistry:
            let hosting = try localRegistry(spec)
            registry = hosting
            origin = LocalRegistrySource.origin(hosting, overlay: overlay, path: path)
        }

        try Self.prepareOutput(outputDirectory)
        let deployment = KubernetesDeployment(
            kubectl: Kubectl(runner: runtime.runner, context: "(argocd export contacts no cluster)"),
            manifests: ManifestSource(
                runner: runtime.runner, cacheDirectory: state.directory(in: runtime).appending(path: "cache/manifests")),
            vault: SecretVault(directory: state.directory(in: runtime).appending(path: "unused")),
            cluster: spec)
        let export: ArgoCDExport
        do {
            export = try await ArgoCDExport.gather(plan: plan, deployment: deployment)
        } catch let error as CommandError {
            throw Problem(
                problem: "cannot render overlay \(overlay) or download its pinned manifests",
                fix: "check `kubectl kustomize \(spec.overlayDirectory.path)` and the network; once `provision up` has "
                    + "downloaded the pinned manifests on this machine, they come from its cache",
                cause: error)
        }
        let files = export.files(in: outputDirectory, origin: origin)
        for file in files {
            let url = outputDirectory.appending(path: file.path)
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url, options: .atomic)
            } catch {
                throw Problem(
                    .usage, problem: "cannot write \(url.path): \(error.localizedDescription)",
                    fix: "pass an --output directory you may write")
            }
        }
        let shown = Self.shown(outputDirectory, from: runtime.workingDirectory)
        var pushed: LocalRegistrySource.Pushed?
        if let registry {
            pushed = try await LocalRegistrySource(registry: registry, runner: runtime.runner).push(
                files, at: path, with: try await checkout.files(under: spec.manifestsRoot), from: checkout.root,
                origin: origin)
        }
        runtime.console.out(Self.report(export, files: files, origin: origin, shown: shown, pushed: pushed))
    }

    /// --repo-url, else the URL of the remote `origin`.
    private func gitRepoURL(_ checkout: GitCheckout) async throws -> String {
        if let given = repoURL { return given }
        if let origin = await checkout.remoteURL() { return origin }
        throw Problem(
            .usage, problem: "the repository \(checkout.root.path) has no remote `origin`, so there is no URL Argo CD could clone",
            fix: "pass --repo-url with the URL Argo CD's repo server reaches (e.g. `--repo-url "
                + "https://github.com/OWNER/REPOSITORY.git`), pass --source local-registry (kind), or add the remote: "
                + "`git remote add origin URL`")
    }

    /// The local registry the manifests announce (KEP-1755's ConfigMap), for --source local-registry.
    private func localRegistry(_ spec: ClusterSpec) throws -> LocalRegistryHosting {
        guard repoURL == nil, revision == nil else {
            throw Problem(
                .usage, problem: "--repo-url and --revision name a git source, and --source local-registry reads from the local registry",
                fix: "drop --repo-url and --revision, or drop --source local-registry")
        }
        guard let registry = try LocalRegistryHosting.load(manifestsRoot: spec.manifestsRoot) else {
            throw Problem(
                .usage, problem: "\(spec.manifestsRoot.path) announces no local registry (no \(LocalRegistryHosting.file))",
                fix: "restore that file from git (the kind backend starts the registry it names), or use --source origin")
        }
        return registry
    }

    /// Makes `directory` ready for a fresh export: created when missing; an earlier export's
    /// vendored files removed (a component may have left); a directory with other files refused.
    static func prepareOutput(_ directory: URL) throws {
        let manager = FileManager.default
        let entries = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
        if !entries.isEmpty {
            let previous = try? String(contentsOf: directory.appending(path: "kustomization.yaml"), encoding: .utf8)
            guard previous?.hasPrefix(ArgoCDExport.marker) == true else {
                throw Problem(
                    .usage, problem: "\(directory.path) already holds files that `provision argocd export` did not write",
                    fix: "pass an empty or new --output directory, or move those files away")
            }
            for name in ["vendor", "SHA256SUMS"] where entries.contains(name) {
                try manager.removeItem(at: directory.appending(path: name))
            }
        }
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw Problem(
                .usage, problem: "cannot create \(directory.path): \(error.localizedDescription)",
                fix: "pass an --output directory you may write")
        }
    }

    /// `directory` as the user sees it: relative to the working directory when inside it.
    static func shown(_ directory: URL, from workingDirectory: URL) -> String {
        RelativePath.isInside(directory, workingDirectory)
            ? RelativePath.from(workingDirectory, to: directory) : directory.path
    }

    static func report(
        _ export: ArgoCDExport, files: [ArgoCDExport.File], origin: ArgoCDExport.Origin, shown: String,
        pushed: LocalRegistrySource.Pushed? = nil
    ) -> String {
        let vendored = export.parts.filter { if case .vendored = $0.source { true } else { false } }.map(\.component.rawValue)
        var lines = [
            "Wrote \(shown) for overlay \(export.overlay): the Argo CD Application \(export.applicationName) "
                + "and the kustomization it syncs (\(export.parts.count) components; no Secret).",
        ]
        lines += files.map { "  \(shown)/\($0.path)" }
        lines += [
            "",
            "Source: \(origin.repoURL) at \(origin.revision), path \(origin.path)"
                + (vendored.isEmpty ? "" : "; vendored pinned manifests: \(vendored.joined(separator: ", "))"),
        ]
        if let pushed {
            let size = "\((pushed.layerBytes + 1023) / 1024) KiB"
            lines.append(pushed.unchanged
                ? "Pushed: nothing; \(pushed.reference) already is this work tree (\(pushed.digest))"
                : "Pushed: \(pushed.reference) (\(pushed.digest); \(pushed.fileCount) files, \(size) compressed)")
        }
        lines.append(
            "Sync waves (argocd.argoproj.io/sync-wave, as `provision plan` numbers them; each wave healthy before the next):")
        let present = Set(export.parts.map(\.component))
        for (index, wave) in export.waves.enumerated() {
            let names = wave.map { present.contains($0) ? $0.rawValue : "(\($0.rawValue): nothing in this overlay)" }
            lines.append("  wave \(index + 1): \(names.joined(separator: ", "))")
        }
        lines += ["", "Next:"]
        if pushed != nil {
            // The local registry is the kind backend's: the commands name its cluster's context.
            let kubectl = "kubectl --context \(KindProvider.kubeContext(ofCluster: TargetOptions.defaultCluster))"
            lines += [
                "  1. once Argo CD runs (namespace argocd): \(kubectl) apply -f \(shown)/application.yaml",
                "     (the Application, and the repository Secret that lets Argo CD read the registry over plain HTTP;",
                "     it holds no credential)",
                "  2. after a change, run this command again: Argo CD reads the tag again at its next refresh (about",
                "     3 minutes), or at once: \(kubectl) -n \(ArgoCDExport.argoCDNamespace) annotate application "
                    + "\(export.applicationName) argocd.argoproj.io/refresh=normal --overwrite",
            ]
        } else {
            lines += [
                "  1. commit and push the directory: git add \(shown) && git commit -m \"Argo CD: \(export.applicationName)\" && git push",
                "  2. once Argo CD runs (namespace argocd): kubectl apply -f \(shown)/application.yaml",
            ]
        }
        return lines.joined(separator: "\n")
    }
}
