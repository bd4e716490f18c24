import Foundation
import ProcessRunning
import ProvisionCore

/// The deployment layer every provider shares: carries out component declarations on any
/// cluster kubectl reaches through one context: secrets, server-side apply, readiness derived
/// from the applied objects, and smoke checks. Providers own the cluster; this owns what is in it.
public struct KubernetesDeployment: ComponentDeployment {
    public let kubectl: Kubectl
    public let manifests: ManifestSource
    public let vault: SecretVault
    /// The `k8s/` directory and overlay whose objects are deployed.
    public let cluster: ClusterSpec
    public let http: HTTPProbe
    /// How often and how far apart smoke checks are tried: a service can be Ready
    /// a moment before the ingress routes to it.
    public var smokeAttempts: Int = 5
    public var smokeInterval: Duration = .seconds(3)
    /// Where the provider publishes the cluster's ingress on this machine (kind:
    /// `http://localhost/`), for ``SmokeCheck/publishedIngress(path:status:)``; nil skips it.
    public var publishedIngress: String?

    public init(kubectl: Kubectl, manifests: ManifestSource, vault: SecretVault, cluster: ClusterSpec) {
        self.kubectl = kubectl
        self.manifests = manifests
        self.vault = vault
        self.cluster = cluster
        self.http = HTTPProbe(runner: kubectl.runner, remedies: kubectl.remedies, context: kubectl.context)
    }

    /// The deployment layer on `provider`'s cluster, as `provision` composes it: kubectl on the
    /// provider's context, pinned manifests cached in the state directory (`cache/manifests`),
    /// the cluster's secret vault there, and the ingress where the provider publishes it.
    /// - Parameter sleep: waits between retries (smoke checks, refused applies).
    public init(
        cluster: ClusterSpec, provider: any ClusterProvider, runner: any CommandRunner, stateDirectory: URL,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        forceConflicts: Bool = false
    ) {
        self.init(
            kubectl: Kubectl(
                runner: runner, context: provider.kubeContext(for: cluster), sleep: sleep, forceConflicts: forceConflicts,
                remedies: provider.remedies(for: cluster)),
            manifests: ManifestSource(runner: runner, cacheDirectory: stateDirectory.appending(path: "cache/manifests")),
            vault: SecretVault(stateDirectory: stateDirectory, cluster: cluster.name), cluster: cluster)
        publishedIngress = provider.publishedIngress(for: cluster)
    }

    // MARK: Prepare

    /// `component` as this run applies it, worked out once: its labelled subset of the
    /// rendered overlay or kustomization, or its pinned upstream manifest; their exact text and
    /// digests; and what it waits for: the workloads among its objects (unless it overrides
    /// them), then its declared checks.
    public func prepare(_ component: any Component) async throws -> ComponentRelease {
        let (body, documents, namespace) = try await rendered(component)
        let objects = RenderedObjects(documents, namespace: namespace)
        let readiness = component.readiness
        let workloads = readiness.includesWorkloads ? objects.workloadChecks : []
        return ComponentRelease(
            component: component, body: body,
            objects: documents.map { AppliedObject(reference: $0.reference, digest: SHA256.hexDigest(of: $0.text)) },
            readiness: workloads + readiness.checks.filter { !workloads.contains($0) },
            images: documents.flatMap(\.images),
            rendered: objects)
    }

    /// The exact text sent to the cluster for `component`'s objects, the objects, and the
    /// namespace kubectl is to put those that name none into (`-n`; nil: kubectl's default).
    private func rendered(_ component: any Component) async throws
        -> (body: String, documents: [ManifestDocument], namespace: String?)
    {
        switch component.resources {
        case .overlay:
            let subset = try await labelledSubset(of: component.id, renderedFrom: cluster.overlayDirectory)
            return (subset.yaml, subset.documents, nil)
        case .kustomization(let path):
            let subset = try await labelledSubset(
                of: component.id, renderedFrom: cluster.manifestsRoot.appending(path: path))
            return (subset.yaml, subset.documents, nil)
        case .pinnedManifest(let name):
            // The upstream bytes as pinned, not a re-serialisation, so their digest matches the pin.
            guard let pinned = try await pinnedBody(name) else { return ("", [], nil) }
            // A pin that names a namespace: the component's own objects in the overlay (that
            // Namespace, from the kustomize Component that carries the pin) go first, as rendered.
            let own = pinned.namespace == nil
                ? ManifestSubset(documents: [])
                : try await labelledSubset(of: component.id, renderedFrom: cluster.overlayDirectory)
            let upstream = try ManifestDocument.parseStream(pinned.body).map { $0.placed(in: pinned.namespace) }
            let body = own.documents.isEmpty ? pinned.body : own.yaml + "---\n" + pinned.body
            return (body, own.documents + upstream, pinned.namespace)
        }
    }

    /// The objects labelled with `id`; none when the kustomization has nothing for the
    /// component (a generic overlay without kind's StorageClass): its step is then skipped.
    private func labelledSubset(of id: ComponentID, renderedFrom directory: URL) async throws -> ManifestSubset {
        try await manifests.rendered(directory).subset(for: id) ?? ManifestSubset(documents: [])
    }

    /// Where the overlay pins `name`: its own `pins/<name>`, else the `pins/<name>` of a
    /// kustomize Component it lists (the edge it selects); nil when the overlay selects no such
    /// manifest (the component then has nothing here and its step is skipped).
    public func pinFile(_ name: String) throws -> (url: URL, shown: String)? {
        try OverlayPins(cluster: cluster).file(named: name)
    }

    /// The pinned manifests the overlay selects under `name`, each with its exact bytes (from
    /// the cache or downloaded, checked against its SHA-256), in the pin file's order; nil when
    /// the overlay selects no such manifest.
    public func pinnedManifests(_ name: String) async throws -> (pinFile: String, manifests: [PinnedManifest])? {
        guard let file = try pinFile(name) else { return nil }
        var pinned: [PinnedManifest] = []
        for pin in try ManifestPin.loadAll(from: file.url) {
            pinned.append(PinnedManifest(pin: pin, body: try await manifests.pinned(pin, pinFile: file.shown)))
        }
        return (file.shown, pinned)
    }

    /// The pinned manifests' exact bytes, in the pin file's order, and the namespace the file
    /// names for them; nil when not selected.
    private func pinnedBody(_ name: String) async throws -> (body: String, namespace: String?)? {
        guard let pinned = try await pinnedManifests(name)?.manifests else { return nil }
        let parts = pinned.map(\.body)
        // One stream: each part is whole YAML documents; a separator keeps them apart.
        let body = parts.count == 1 ? parts[0] : parts.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "---\n")
        return (body, pinned.first?.pin.namespace)
    }

    // MARK: Apply

    /// Applies the component's secrets (values from the vault), then its objects.
    /// The digest covers the objects only, so it is stable across runs and never derives from secrets.
    public func apply(_ release: ComponentRelease) async throws {
        let component = release.component
        for spec in component.secrets {
            // Values come from the vault. When it lacks some (the state directory was lost, or
            // the stack was first deployed by hand) but the cluster has the Secret, adopt the
            // cluster's values: new passwords would lock out the data that survived.
            var inCluster: [String: String] = [:]
            if try !vault.missingKeys(of: spec).isEmpty {
                inCluster = try await kubectl.secretData(name: spec.name, namespace: spec.namespace) ?? [:]
            }
            let values = try vault.values(for: spec, adopting: inCluster)
            try await kubectl.apply(try SecretManifest.json(for: spec, owner: component.id, values: values))
        }
        guard !release.isEmpty else { return }
        let documents = release.documents
        let namespace = release.renderedObjects.namespace
        try await kubectl.apply(release.body, objects: documents, namespace: namespace)
        if case .pinnedManifest = component.resources {
            // Upstream objects carry no label of ours; label them so that `down` can find
            // them by label like every other component's (and delete nothing else).
            try await kubectl.label(
                release.body, ComponentLabel.key, component.id.rawValue, objects: documents, namespace: namespace)
        }
    }

    // MARK: Remove

    /// Deletes the component's objects by its label, kind by kind as its manifests list them,
    /// in every namespace, and waits until they are gone (`kubectl delete --wait`). With
    /// `keepingData`, PersistentVolumeClaims and Namespaces are left alone.
    public func remove(_ release: ComponentRelease, keepingData: Bool, timeout: Duration) async throws -> String {
        let objects = release.documents
        let kept: Set<String> = keepingData ? ["PersistentVolumeClaim", "Namespace"] : []
        var kinds: [String] = []
        for object in objects where !kept.contains(object.kind) && !kinds.contains(object.kind) {
            kinds.append(object.kind)
        }
        // "kept 1 claim and 1 namespace": each kind counted and named on its own.
        let keptParts = [("PersistentVolumeClaim", "claim"), ("Namespace", "namespace")].compactMap { kind, noun -> String? in
            let count = objects.filter { kept.contains(kind) && $0.kind == kind }.count
            return count > 0 ? Self.counted(count, noun) : nil
        }
        let keptNote = keptParts.isEmpty ? "" : "; kept \(keptParts.joined(separator: " and ")) (--purge-data deletes them)"
        guard !kinds.isEmpty else { return "nothing to delete" + keptNote }
        let output = try await kubectl.deleteLabelled(
            kinds: kinds, label: ComponentLabel.key, value: release.id.rawValue, timeout: timeout)
        let deleted = output.standardOutput.split(separator: "\n").filter { $0.hasSuffix(" deleted") }.count
        return "deleted \(Self.counted(deleted, "object"))" + keptNote
    }

    /// "1 claim", "2 claims".
    static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    // MARK: Readiness

    /// Waits for each readiness check in turn, all within `timeout`.
    public func waitUntilReady(_ release: ComponentRelease, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        for check in release.readiness {
            let remaining = max(deadline - clock.now, .seconds(1))
            do {
                try await wait(for: check, timeout: remaining)
            } catch let error as CommandError {
                // kubectl could not ask at all (no context, no API server): that, not readiness.
                if let refusal = KubectlRefusal.read(error.combinedOutput) {
                    throw refusal.problem(context: kubectl.context, remedies: kubectl.remedies, cause: error)
                }
                throw notReady(check, component: release.id, timeout: timeout, cause: error)
            }
        }
    }

    private func wait(for check: ReadinessCheck, timeout: Duration) async throws {
        switch check {
        case .rolledOut(let kind, let name, let namespace):
            try await kubectl.rolloutStatus(kind, name: name, namespace: namespace, timeout: timeout)
        case .jobCompleted(let name, let namespace):
            try await kubectl.waitForJobCompletion(name: name, namespace: namespace, timeout: timeout)
        case .conditionTrue(let resource, let name, let namespace, let condition):
            try await kubectl.waitForCondition(condition, resource: resource, name: name, namespace: namespace, timeout: timeout)
        case .routeAttached(let resource, let name, let namespace):
            try await kubectl.waitForRouteAttached(resource: resource, name: name, namespace: namespace, timeout: timeout)
        case .namespaceActive(let namespace):
            let phase = try await kubectl.namespacePhase(namespace)
            guard phase == "Active" else {
                throw Problem(
                    problem: phase == nil
                        ? "namespace \(namespace) does not exist after apply"
                        : "namespace \(namespace) is \(phase!), not Active",
                    fix: "a Terminating namespace is still being deleted: wait for "
                        + "`\(kubectl.clusterCommand(["get", "namespace", namespace], timeout: nil))` "
                        + "to show it gone, then run `provision up` again")
            }
        }
    }

    private func notReady(_ check: ReadinessCheck, component: ComponentID, timeout: Duration, cause: CommandError)
        -> Problem
    {
        let describe: (String, String) -> String = { object, namespace in
            "\(self.kubectl.clusterCommand(["describe", object, "-n", namespace], timeout: nil)); "
                + "\(self.kubectl.clusterCommand(["get", "pods", "-n", namespace], timeout: nil))"
        }
        let describeObject: (String, String?) -> String = { object, namespace in
            "\(self.kubectl.clusterCommand(["describe", object] + (namespace.map { ["-n", $0] } ?? []), timeout: nil))"
        }
        switch check {
        case .rolledOut(let kind, let name, let namespace):
            return Problem(
                problem: "\(component): \(kind.rawValue) \(name) in \(namespace) did not become ready "
                    + "within \(Kubectl.seconds(timeout)) s",
                fix: "see why its pods are not ready: \(describe("\(kind.rawValue)/\(name)", namespace)); "
                    + "then run `provision up` again", cause: cause)
        case .jobCompleted(let name, let namespace):
            return Problem(
                problem: "\(component): job \(name) in \(namespace) did not complete within \(Kubectl.seconds(timeout)) s",
                fix: "see why: \(describe("job/\(name)", namespace)); then run `provision up` again", cause: cause)
        case .conditionTrue(let resource, let name, let namespace, let condition):
            let place = namespace.map { " in \($0)" } ?? ""
            return Problem(
                problem: "\(component): \(resource) \(name)\(place) did not report \(condition) within \(Kubectl.seconds(timeout)) s",
                fix: "see its status conditions: \(describeObject("\(resource)/\(name)", namespace)); "
                    + "then run `provision up` again", cause: cause)
        case .routeAttached(let resource, let name, let namespace):
            return Problem(
                problem: "\(component): \(resource) \(name) in \(namespace) was not accepted by its Gateway with its "
                    + "backends resolved within \(Kubectl.seconds(timeout)) s",
                fix: "see why in its status.parents conditions: \(describeObject("\(resource)/\(name)", namespace)); "
                    + "then run `provision up` again", cause: cause)
        case .namespaceActive(let namespace):
            return Problem(
                problem: "\(component): cannot read namespace \(namespace)",
                fix: "check that the cluster answers: \(kubectl.clusterCommand(["get", "namespaces"], timeout: nil))",
                cause: cause)
        }
    }

    // MARK: Smoke checks

    /// Runs every smoke check, each tried up to ``smokeAttempts`` times.
    public func smokeCheck(_ release: ComponentRelease) async throws {
        for check in release.component.smokeChecks {
            var attempt = 1
            while true {
                do {
                    try await run(check, of: release)
                    break
                } catch {
                    guard attempt < smokeAttempts else { throw error }
                    attempt += 1
                    try await kubectl.sleep(smokeInterval)
                }
            }
        }
    }

    private func run(_ check: SmokeCheck, of owner: ComponentRelease) async throws {
        let component = owner.id
        switch check {
        case .exec(let namespace, let pod, let container, let command, let expecting):
            let output: CommandOutput
            do {
                output = try await kubectl.exec(namespace: namespace, pod: pod, container: container, command: command)
            } catch let error as CommandError {
                throw Problem(
                    problem: "\(component): smoke check in \(pod) (\(namespace)) failed",
                    fix: "run the failed command (below) by hand and read the pod's logs: "
                        + "\(kubectl.clusterCommand(["logs", "-n", namespace, pod], timeout: nil))",
                    cause: error)
            }
            if let expecting, !output.standardOutput.contains(expecting) {
                let printed = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300)
                let commandLine = kubectl.clusterCommand(
                    ["exec", "-n", namespace, pod] + (container.map { ["-c", $0] } ?? []) + ["--"] + command,
                    timeout: nil)
                throw Problem(
                    problem: "\(component): smoke check in \(pod) (\(namespace)) did not print `\(expecting)`; "
                        + "it printed: \(printed.isEmpty ? "nothing" : String(printed))",
                    fix: "run it by hand and compare: \(commandLine)")
            }
        case .publishedIngress(let path, let status):
            guard let base = publishedIngress, var url = URLComponents(string: base) else { return }
            url.path = path
            try await http.expectStatus(status, at: url.string ?? base, component: component)
        case .httpGet(let url, let expectJSON):
            let route = try await edgeRoute(for: url, of: owner)
            try await http.get(route?.url ?? url, host: route?.host, expectJSON: expectJSON, component: component)
        case .webPage(let url):
            let route = try await edgeRoute(for: url, of: owner)
            try await http.loadPage(route?.url ?? url, host: route?.host, component: component)
        }
    }

    /// Where an HTTP smoke check really goes: never assume localhost on a remote cluster.
    /// When one of the component's routes (an HTTPRoute, or an Ingress) serves the URL's path,
    /// the request goes to the address the edge reports in its status (the Gateway's, or the
    /// Ingress's: a cloud load balancer), with the route's host as the `Host` header.
    /// `nil` when the route serves the URL's own host (kind: localhost), or no route of the
    /// component serves the path: the URL is used as written.
    func edgeRoute(for url: String, of owner: ComponentRelease) async throws -> (url: String, host: String?)? {
        let component = owner.id
        guard let parsed = URLComponents(string: url) else { return nil }
        for route in owner.documents {
            guard let served = try EdgeRoute(route), served.prefixes.contains(where: { parsed.path.hasPrefix($0) })
            else { continue }
            // The URL names the very host the route serves (kind: localhost): as written.
            if let host = served.host, host == parsed.host { return nil }
            let address: String?
            let look: [String]
            switch served.edge {
            case .gateway(let name, let namespace):
                address = try await kubectl.gatewayAddress(name: name, namespace: namespace)
                look = ["get", "gateway", name, "-n", namespace]
            case .ingress:
                address = try await kubectl.ingressAddress(name: route.name, namespace: route.namespace ?? "default")
                look = ["get", "ingress", "-n", route.namespace ?? "default"]
            }
            guard let address else {
                throw Problem(
                    problem: "\(component): \(route.kind) \(route.name) has no address yet, so \(url) cannot be reached",
                    fix: "check that the edge's controller runs and has a load balancer address: "
                        + "\(kubectl.clusterCommand(look, timeout: nil))")
            }
            var target = parsed
            target.host = address
            target.port = nil
            let sendHost = served.host.flatMap { $0 == address ? nil : $0 }
            return (target.string ?? url, sendHost)
        }
        return nil
    }
}

/// What a route object says about reaching a service: the host it serves, its path prefixes,
/// and which edge publishes it. Ingresses name their rule's host and paths; HTTPRoutes their
/// first hostname, their PathPrefix matches and their parent Gateway.
struct EdgeRoute {
    enum Edge {
        case gateway(name: String, namespace: String)
        case ingress
    }
    var host: String?
    var prefixes: [String]
    var edge: Edge

    /// nil for objects that are not routes.
    init?(_ object: ManifestDocument) throws {
        // Only routes are read whole: the rest is not parsed again.
        guard object.kind == "Ingress" || (object.kind == "HTTPRoute" && object.isGatewayAPI) else { return nil }
        let spec = try object.object()["spec"] as? [String: Any] ?? [:]
        switch object.kind {
        case "Ingress":
            let rule = (spec["rules"] as? [[String: Any]])?.first ?? [:]
            host = rule["host"] as? String
            prefixes = ((rule["http"] as? [String: Any])?["paths"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            edge = .ingress
        case "HTTPRoute" where object.isGatewayAPI:
            host = (spec["hostnames"] as? [String])?.first
            prefixes = (spec["rules"] as? [[String: Any]] ?? []).flatMap { rule in
                (rule["matches"] as? [[String: Any]] ?? []).compactMap { ($0["path"] as? [String: Any])?["value"] as? String }
            }
            guard let parent = (spec["parentRefs"] as? [[String: Any]])?.first, let name = parent["name"] as? String else {
                return nil
            }
            edge = .gateway(name: name, namespace: parent["namespace"] as? String ?? object.namespace ?? "default")
        default:
            return nil
        }
    }
}