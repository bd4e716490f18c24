import Backends
import Foundation
import Kubernetes
import ProcessRunning
import ProvisionCore

/// `provision argocd export --source local-registry`: the export and the manifests it refers to,
/// as they are in the work tree, pushed as one OCI artifact to the local registry that the kind
/// backend runs beside the cluster. Argo CD (v3.1 and later) reads it from the registry's name on
/// kind's network (`provision-registry:5000`): kind's node entrypoint points the node's resolver
/// at Docker's embedded DNS (kind v0.32.0 images/base/files/usr/local/bin/entrypoint,
/// `enable_network_magic`), and CoreDNS forwards pod lookups to the node's resolver, so the
/// repo server's pod resolves container names on that network, as kind's local registry guide
/// tells pods to use `kind-registry:5000`.
struct LocalRegistrySource {
    /// The artifact's repository in the registry; the tag is the overlay.
    static let repository = "wrightnow/stack"

    let registry: LocalRegistryHosting
    let runner: any CommandRunner

    /// Where Argo CD reads the artifact: `oci://provision-registry:5000/wrightnow/stack`, tag
    /// `<overlay>`, the export's directory inside it.
    static func origin(_ registry: LocalRegistryHosting, overlay: String, path: String) -> ArgoCDExport.Origin {
        ArgoCDExport.Origin(
            repoURL: "oci://\(registry.containerName):\(registry.containerPort)/\(repository)", revision: overlay,
            path: path, plainHTTP: true)
    }

    /// What was pushed.
    struct Pushed {
        var reference: String
        /// The manifest's digest, which the tag now names.
        var digest: String
        /// Whether the tag named it already (nothing was uploaded).
        var unchanged: Bool
        var fileCount: Int
        var layerBytes: Int
    }

    /// Pushes the export's `files` (written at `exportPath`, relative to `root`) with the
    /// repository's `manifests` files (relative to `root`; the export's own directory is taken
    /// from `files`, not from the disk).
    func push(
        _ files: [ArgoCDExport.File], at exportPath: String, with manifests: [String], from root: URL,
        origin: ArgoCDExport.Origin
    ) async throws -> Pushed {
        var entries: [SourceArchive.Entry] = []
        for path in manifests where !(path == exportPath || path.hasPrefix(exportPath + "/")) {
            let url = root.appending(path: path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw Problem(
                    .usage, problem: "cannot read \(url.path), which the artifact for Argo CD must carry",
                    fix: "check the file's permissions, then run the command again")
            }
            entries.append(SourceArchive.Entry(path: path, contents: data))
        }
        entries += files.map { SourceArchive.Entry(path: exportPath + "/" + $0.path, contents: Data($0.contents.utf8)) }
        let archive = try SourceArchive(entries)
        let artifact = try OCIArtifact(archive)
        let push = OCIRegistryPush(
            runner: runner, address: "127.0.0.1:\(registry.hostPort)", addressSource: "k8s/\(LocalRegistryHosting.file)",
            startRemedy: "start it with `provision up --backend kind` (it runs \(registry.containerName) beside the cluster), "
                + "or `docker start \(registry.containerName)` when it was stopped")
        let unchanged = try await push.push(artifact, repository: Self.repository, tag: origin.revision)
        return Pushed(
            reference: "\(registry.host)/\(Self.repository):\(origin.revision)", digest: artifact.digest,
            unchanged: unchanged, fileCount: archive.entries.count, layerBytes: artifact.layer.data.count)
    }
}
