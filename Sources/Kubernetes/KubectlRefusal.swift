import Foundation
import ProcessRunning
import ProvisionCore

/// What kubectl's own messages say when it refuses, told apart once here so each gets a
/// problem and a fix a person can act on. The messages are kubectl's and the API server's:
///
/// - a context the kubeconfig lacks: `error: context "X" does not exist`, `Error in
///   configuration: context was not found for specified context: X` or `error: cannot locate
///   context X` (client-go's clientcmd and kubectl's config commands; which one depends on
///   the command);
/// - an API server that refuses connections: `The connection to the server HOST:PORT was
///   refused - did you specify the right host or port?` (kubectl pkg/cmd/util/helpers.go);
/// - server-side apply into a namespace that does not exist: `Error from server (NotFound):
///   namespaces "X" not found`;
/// - a change to an immutable field: `The StatefulSet "X" is invalid: spec: Forbidden: ...`,
///   `The Deployment "X" is invalid: spec.selector: ... field is immutable` (kubectl prints
///   an Invalid error as `The KIND "NAME" is invalid: CAUSES`);
/// - another field manager owns a field with another value: `error: Apply failed with N
///   conflict(s): conflict with "MANAGER" ...: FIELD` (server-side apply without
///   --force-conflicts).
///
/// None is retried: each needs a person to decide.
public enum KubectlRefusal: Sendable, Hashable {
    case contextMissing(String)
    case connectionRefused(server: String)
    case namespaceMissing(String)
    case immutableField(kind: String, name: String, field: String)
    case fieldConflict(manager: String, fields: [String])

    /// The field manager Argo CD's application controller applies with (argo-cd v3.5.1
    /// common/common.go ArgoCDSSAManager, used by controller/sync.go).
    public static let argoCDManager = "argocd-controller"

    /// Reads kubectl's output (standard error and output together).
    public static func read(_ output: String) -> KubectlRefusal? {
        if let match = output.firstMatch(of: /context "([^"]+)" does not exist/)
            ?? output.firstMatch(of: /context was not found for specified context: (\S+)/)
            ?? output.firstMatch(of: /cannot locate context (\S+)/)
        {
            return .contextMissing(String(match.1))
        }
        if let match = output.firstMatch(of: /The connection to the server (\S+) was refused/)
            ?? output.firstMatch(of: /dial tcp (\S+): connect: connection refused/)
        {
            return .connectionRefused(server: String(match.1))
        }
        if let match = output.firstMatch(of: /Error from server \(NotFound\): namespaces "([^"]+)" not found/) {
            return .namespaceMissing(String(match.1))
        }
        if let match = output.firstMatch(of: /The (\w+) "([^"]+)" is invalid: ([\w.\[\]]+): (Forbidden|Invalid value)/),
            match.4 == "Forbidden" || output.contains("field is immutable")
        {
            return .immutableField(kind: String(match.1), name: String(match.2), field: String(match.3))
        }
        if let match = output.firstMatch(of: /Apply failed with \d+ conflicts?: conflicts? with "([^"]+)"[^:\n]*:((?:\s+\.\S+)+)/) {
            let fields = match.2.split(whereSeparator: \.isWhitespace).map(String.init)
            return .fieldConflict(manager: String(match.1), fields: fields)
        }
        return nil
    }

    /// The refusal as the problem `provision` reports, with the way through.
    /// - Parameters:
    ///   - context: the kubeconfig context of the call.
    ///   - remedies: the cluster's provider's advice, where it has better than the neutral one.
    ///   - objects: what the call applied, to find the refused object's namespace.
    public func problem(
        context: String, remedies: ClusterRemedies = ClusterRemedies(), objects: [ManifestDocument] = [],
        cause: CommandError
    ) -> Problem {
        switch self {
        case .contextMissing(let name):
            return Problem(
                .stepFailed,
                problem: "the kubeconfig has no context `\(name)` (it was removed or the kubeconfig was replaced)",
                fix: (name == context ? remedies.missingContext.map { $0 + "; " } ?? "" : "")
                    + "`kubectl config get-contexts` lists the contexts there are",
                cause: cause)
        case .connectionRefused(let server):
            return Problem(
                .stepFailed,
                problem: "the API server of context `\(context)` at \(server) refuses connections",
                fix: remedies.unreachableAPIServer
                    ?? "check that the cluster runs and that this machine reaches it: "
                        + "`kubectl --context \(context) get --raw /readyz`",
                cause: cause)
        case .namespaceMissing(let namespace):
            return Problem(
                .stepFailed,
                problem: "namespace \(namespace) does not exist, so the objects for it were refused",
                fix: "the `namespaces` component creates it: run `provision up` (with `--only`, the components "
                    + "a selection depends on are deployed first); if someone deleted it, `provision up` makes it again",
                cause: cause)
        case .immutableField(let kind, let name, let field):
            let namespace = objects.first { $0.kind == kind && $0.name == name }?.namespace
            let inNamespace = namespace.map { " -n \($0)" } ?? ""
            let resource = kind.lowercased()
            let fix: String
            if kind == "StatefulSet" {
                fix = "delete the StatefulSet but keep its pods and volumes: `kubectl --context \(context)\(inNamespace) "
                    + "delete statefulset \(name) --cascade=orphan`, then run `provision up` again: it creates the "
                    + "StatefulSet anew, which adopts the pods and the claims (the data is kept)"
            } else {
                fix = "the field cannot change in place: delete the object (`kubectl --context \(context)\(inNamespace) "
                    + "delete \(resource) \(name)`), then run `provision up` again to create it as the manifests say"
            }
            let changed = kind == "StatefulSet" && field == "spec"
                ? "fields of its spec that Kubernetes keeps fixed (volumeClaimTemplates, selector or serviceName; "
                    + "only replicas, template, updateStrategy and a few others may change)"
                : "`\(field)`, which Kubernetes does not allow to change on an existing \(kind)"
            return Problem(
                .stepFailed,
                problem: "\(kind) \(name)\(namespace.map { " in \($0)" } ?? ""): the manifests change \(changed)",
                fix: fix, cause: cause)
        case .fieldConflict(let manager, let fields) where manager == Self.argoCDManager:
            // Argo CD applies what Git holds (server-side, forcing conflicts): taking its fields
            // here would start a tug of war that its self-heal wins a moment later.
            return Problem(
                .stepFailed,
                problem: "Argo CD manages these objects now (field manager `\(manager)`) and holds other values for "
                    + fields.joined(separator: ", ") + "; provision does not take them from it",
                fix: "change k8s/ in Git and let Argo CD sync it (`kubectl --context \(context) -n argocd get "
                    + "applications` shows its state); or take the stack back: delete its Application without the "
                    + "resources finalizer (`kubectl --context \(context) -n argocd patch application NAME --type merge "
                    + "-p '{\"metadata\":{\"finalizers\":null}}'`, then `kubectl --context \(context) -n argocd delete "
                    + "application NAME`: the objects stay), and run `provision up --force-conflicts`",
                cause: cause)
        case .fieldConflict(let manager, let fields):
            return Problem(
                .stepFailed,
                problem: "fields provision manages were changed by another field manager, `\(manager)`: "
                    + fields.joined(separator: ", "),
                fix: "to let k8s/ win and take the fields back, run `provision up --force-conflicts`; "
                    + "to keep the change, put it into the manifests under k8s/ and run `provision up`",
                cause: cause)
        }
    }
}
