import ProvisionCore

/// Argo CD v3.5.1, the GitOps controller the stack can be handed over to (issue 19). Optional:
/// deployed only with `--with argocd`. Its objects are upstream's install manifest as pinned
/// (`manifests/install.yaml` at tag v3.5.1, by URL and SHA-256) in
/// `k8s/components/argocd/pins/argocd.yaml`, whose `namespace: argocd` places the manifest's
/// namespaced objects (it names none; its ClusterRoleBindings name `argocd`) as
/// `kubectl apply -n argocd` does, after the Namespace `argocd` that the same kustomize
/// Component renders into every overlay. Ready (derived from the objects) when the namespace is
/// Active, its three CRDs are Established, the application controller's StatefulSet and its six
/// Deployments have rolled out. The admin password is Argo CD's own: argocd-server writes it to
/// Secret `argocd-initial-admin-secret` when it first starts; the run summary says how to read
/// it, and shows the value only with `--show-secrets`.
public struct ArgoCDComponent: Component {
    public init() {}
    public let id: ComponentID = "argocd"
    public let summary = "optional Argo CD v3.5.1 (GitOps controller, API server and UI) in namespace argocd"
    public let isOptional = true

    /// Where Argo CD runs: the pin's `namespace:`, and the Namespace the Component renders.
    public static let namespace = "argocd"
    /// The Secret argocd-server creates at its first start (argo-cd v3.5.1
    /// util/settings/settings.go, `initialPasswordSecretName`, key `password`).
    public static let initialPasswordSecret = "argocd-initial-admin-secret"

    public var resources: ResourceSource { .pinnedManifest("argocd.yaml") }

    public var accessNotes: [AccessNote] {
        [
            AccessNote("UI", .text(
                "kubectl -n \(Self.namespace) port-forward service/argocd-server 8080:443, then https://localhost:8080/ "
                    + "(Argo CD's own self-signed certificate)")),
            AccessNote("log in as", .text("admin")),
            AccessNote("password", .clusterSecret(namespace: Self.namespace, name: Self.initialPasswordSecret, key: "password")),
        ]
    }
}
