import Foundation
import ProvisionCore

/// Carries out component declarations on any cluster kubectl can reach: secrets,
/// server-side apply, readiness waits and smoke checks. Cluster-lifecycle backends
/// (kind now; GKE, EKS, AKS later) own the cluster and delegate the rest to this.
public struct KubernetesDeployment: Sendable {
    public let kubectl: Kubectl
    public let manifests: ManifestSource
    public let vault: SecretVault
    /// How often and how far apart smoke checks are tried: a service can be Ready
    /// a moment before the ingress routes to it.
    public var smokeAttempts: Int = 5
    public var smokeInterval: Duration = .seconds(3)

    public init(kubectl: Kubectl, manifests: ManifestSource, vault: SecretVault) {
        self.kubectl = kubectl
        self.manifests = manifests
        self.vault = vault
    }

    // MARK: Apply

    /// Applies the component's secrets (values from the vault), then its objects.
    /// The digest covers the objects only, so it is stable across runs and never derives from secrets.
    /// - Parameters:
    ///   - overlay: the overlay directory rendered for ``ResourceSource/overlay`` components.
    ///   - manifestsRoot: the `k8s/` directory, for ``ResourceSource/kustomization(_:)`` paths
    ///     and ``ResourceSource/pinnedManifest(_:)`` pin files.
    public func apply(_ component: any Component, overlay: URL, manifestsRoot: URL) async throws -> ApplyResult {
        let body: String
        let objectCount: Int
        switch component.resources {
        case .overlay:
            (body, objectCount) = try await labelledSubset(of: component.id, renderedFrom: overlay)
        case .kustomization(let path):
            (body, objectCount) = try await labelledSubset(
                of: component.id, renderedFrom: manifestsRoot.appending(path: path))
        case .pinnedManifest(let path):
            let pin = try ManifestPin.load(from: manifestsRoot.appending(path: path))
            body = try await manifests.remote(pin.url)
            try pin.verify(body, pinFile: "k8s/\(path)")
            objectCount = try ManifestDocument.parseStream(body).count
        }
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
        try await kubectl.apply(body)
        return ApplyResult(digest: SHA256.hexDigest(of: body), objectCount: objectCount)
    }

    private func labelledSubset(of id: ComponentID, renderedFrom directory: URL) async throws -> (String, Int) {
        let rendered = try await manifests.rendered(directory)
        guard let subset = rendered.subset(for: id) else {
            throw BackendError(
                problem: "\(directory.path) renders no object labelled `\(ComponentLabel.key): \(id)`",
                fix: "add the component's manifests to that kustomization with the label "
                    + "(see docs/architecture.md), or check the component id")
        }
        return (subset.yaml, subset.objectCount)
    }

    // MARK: Readiness

    /// Waits for each readiness check in turn, all within `timeout`.
    public func waitUntilReady(_ component: any Component, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        for check in component.readiness {
            let remaining = max(deadline - clock.now, .seconds(1))
            do {
                try await wait(for: check, timeout: remaining)
            } catch let error as CommandError {
                throw notReady(check, component: component.id, timeout: timeout, cause: error)
            }
        }
    }

    private func wait(for check: ReadinessCheck, timeout: Duration) async throws {
        switch check {
        case .rolledOut(let kind, let name, let namespace):
            try await kubectl.rolloutStatus(kind, name: name, namespace: namespace, timeout: timeout)
        case .jobCompleted(let name, let namespace):
            try await kubectl.waitForJobCompletion(name: name, namespace: namespace, timeout: timeout)
        case .namespaceActive(let namespace):
            let phase = try await kubectl.namespacePhase(namespace)
            guard phase == "Active" else {
                throw BackendError(
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
        -> BackendError
    {
        let describe: (String, String) -> String = { object, namespace in
            "\(self.kubectl.clusterCommand(["describe", object, "-n", namespace], timeout: nil)); "
                + "\(self.kubectl.clusterCommand(["get", "pods", "-n", namespace], timeout: nil))"
        }
        switch check {
        case .rolledOut(let kind, let name, let namespace):
            return BackendError(
                problem: "\(component): \(kind.rawValue) \(name) in \(namespace) did not become ready "
                    + "within \(Kubectl.seconds(timeout)) s",
                fix: "see why its pods are not ready: \(describe("\(kind.rawValue)/\(name)", namespace)); "
                    + "then run `provision up` again", cause: cause)
        case .jobCompleted(let name, let namespace):
            return BackendError(
                problem: "\(component): job \(name) in \(namespace) did not complete within \(Kubectl.seconds(timeout)) s",
                fix: "see why: \(describe("job/\(name)", namespace)); then run `provision up` again", cause: cause)
        case .namespaceActive(let namespace):
            return BackendError(
                problem: "\(component): cannot read namespace \(namespace)",
                fix: "check that the cluster answers: \(kubectl.clusterCommand(["get", "namespaces"], timeout: nil))",
                cause: cause)
        }
    }

    // MARK: Smoke checks

    /// Runs every smoke check, each tried up to ``smokeAttempts`` times.
    public func smokeCheck(_ component: any Component, http: HTTPProbe) async throws {
        for check in component.smokeChecks {
            var attempt = 1
            while true {
                do {
                    try await run(check, component: component.id, http: http)
                    break
                } catch {
                    guard attempt < smokeAttempts else { throw error }
                    attempt += 1
                    try await kubectl.sleep(smokeInterval)
                }
            }
        }
    }

    private func run(_ check: SmokeCheck, component: ComponentID, http: HTTPProbe) async throws {
        switch check {
        case .exec(let namespace, let pod, let container, let command, let expecting):
            let output: CommandOutput
            do {
                output = try await kubectl.exec(namespace: namespace, pod: pod, container: container, command: command)
            } catch let error as CommandError {
                throw BackendError(
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
                throw BackendError(
                    problem: "\(component): smoke check in \(pod) (\(namespace)) did not print `\(expecting)`; "
                        + "it printed: \(printed.isEmpty ? "nothing" : String(printed))",
                    fix: "run it by hand and compare: \(commandLine)")
            }
        case .httpGet(let url, let expectJSON):
            try await http.get(url, expectJSON: expectJSON, component: component)
        }
    }
}
