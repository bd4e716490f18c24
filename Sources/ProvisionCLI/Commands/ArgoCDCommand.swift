import ArgumentParser
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

            EXAMPLES:
              provision argocd export
              provision argocd export --overlay cluster --revision main
              provision argocd export --repo-url https://github.com/OWNER/REPOSITORY.git --output deploy/argocd
            """)

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
        let repoURL: String
        if let given = self.repoURL {
            repoURL = given
        } else if let origin = await checkout.remoteURL() {
            repoURL = origin
        } else {
            throw Problem(
                .usage, problem: "the repository \(checkout.root.path) has no remote `origin`, so there is no URL Argo CD could clone",
                fix: "pass --repo-url with the URL Argo CD's repo server reaches (e.g. `--repo-url "
                    + "https://github.com/OWNER/REPOSITORY.git`), or add the remote: `git remote add origin URL`")
        }
        let revision: String
        if let given = self.revision { revision = given } else { revision = await checkout.branch() }

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
        let origin = ArgoCDExport.Origin(
            repoURL: repoURL, revision: revision, path: RelativePath.from(checkout.root, to: outputDirectory))
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
        runtime.console.out(Self.report(
            export, files: files, origin: origin, shown: Self.shown(outputDirectory, from: runtime.workingDirectory)))
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

    static func report(_ export: ArgoCDExport, files: [ArgoCDExport.File], origin: ArgoCDExport.Origin, shown: String)
        -> String
    {
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
            "Sync waves (argocd.argoproj.io/sync-wave, as `provision plan` numbers them; each wave healthy before the next):",
        ]
        let present = Set(export.parts.map(\.component))
        for (index, wave) in export.waves.enumerated() {
            let names = wave.map { present.contains($0) ? $0.rawValue : "(\($0.rawValue): nothing in this overlay)" }
            lines.append("  wave \(index + 1): \(names.joined(separator: ", "))")
        }
        lines += [
            "",
            "Next:",
            "  1. commit and push the directory: git add \(shown) && git commit -m \"Argo CD: \(export.applicationName)\" && git push",
            "  2. once Argo CD runs (namespace argocd): kubectl apply -f \(shown)/application.yaml",
        ]
        return lines.joined(separator: "\n")
    }
}
