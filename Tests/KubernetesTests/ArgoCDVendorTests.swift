import Foundation
import ProvisionCore
import Testing
import TestSupport
@testable import Kubernetes

/// The vendored directory of a pinned manifest, rendered by the real `kubectl kustomize`: the
/// bytes untouched but for the component label and the wave, and a pin's `namespace:` placing
/// the objects that name none where `provision up` applies them.
@Suite("argocd export: vendored pins")
struct ArgoCDVendorTests {
    static let upstream = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: applications.argoproj.io
        spec:
          group: argoproj.io
          names:
            kind: Application
            plural: applications
          scope: Namespaced
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: controller
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: controller
        subjects:
        - kind: ServiceAccount
          name: controller
          namespace: gitops
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: controller

        """

    /// Renders the export of one vendored component pinned with `namespace`.
    static func render(namespace: String?) async throws -> [(document: ManifestDocument, object: [String: Any])] {
        let directory = try TemporaryDirectory("provision-vendor")
        let overlay = try directory.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
                                          to: "k8s/overlays/local/kustomization.yaml").deletingLastPathComponent()
        let pin = ManifestPin(
            url: URL(string: "https://example.invalid/install.yaml")!, sha256: SHA256.hexDigest(of: upstream),
            namespace: namespace)
        let export = ArgoCDExport(
            overlay: "local", overlayDirectory: overlay,
            parts: [.init(component: "gitops", wave: 2, source: .vendored(pinFile: "pins/gitops.yaml",
                                                                           [PinnedManifest(pin: pin, body: upstream)]))],
            waves: [["namespaces"], ["gitops"]])
        let output = directory.url.appending(path: "k8s/argocd/local")
        for file in export.files(in: output, origin: .init(repoURL: "https://example.invalid/r.git", revision: "main",
                                                            path: "k8s/argocd/local")) {
            _ = try directory.write(file.contents, to: "k8s/argocd/local/" + file.path)
        }
        let result = try await ChildProcess.run(["kubectl", "kustomize", output.path], limit: 120)
        try #require(result.succeeded, "\(result)")
        return try ManifestDocument.parseStream(result.standardOutput).map { ($0, try $0.object()) }
    }

    @Test("a pin's namespace: places the objects that name none, as provision applies them; the rest is untouched")
    func pinNamespace() async throws {
        let rendered = try await Self.render(namespace: "gitops")
        #expect(rendered.map(\.document.reference).sorted() == [
            "ClusterRoleBinding/controller", "CustomResourceDefinition/applications.argoproj.io",
            "ServiceAccount/gitops/controller",
        ])
        let binding = try #require(rendered.first { $0.document.kind == "ClusterRoleBinding" }?.object)
        let subjects = try #require(binding["subjects"] as? [[String: Any]])
        #expect(subjects.first?["namespace"] as? String == "gitops")
        for (document, object) in rendered {
            let metadata = object["metadata"] as? [String: Any]
            #expect((metadata?["labels"] as? [String: String])?[ComponentLabel.key] == "gitops", "\(document.reference)")
            #expect((metadata?["annotations"] as? [String: String])?[ArgoCDExport.syncWaveAnnotation] == "2",
                    "\(document.reference)")
        }
    }

    @Test("without a pin namespace, nothing is given one")
    func noNamespace() async throws {
        let rendered = try await Self.render(namespace: nil)
        #expect(rendered.contains { $0.document.reference == "ServiceAccount/controller" }, "\(rendered.map(\.document.reference))")
    }
}
