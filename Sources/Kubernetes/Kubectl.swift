import Foundation
import ProcessRunning
import ProvisionCore

/// Drives `kubectl` against one kube context. Every call goes through the injected
/// ``CommandRunner``; every failure carries the command line (``CommandError``).
public struct Kubectl: Sendable {
    public let runner: any CommandRunner
    /// The kubeconfig context, passed as `--context` on every cluster call.
    public let context: String
    public var executable: String
    /// How refused applies are retried while an admission webhook is not reachable yet.
    public var retryPolicy: WebhookRetryPolicy
    /// Waits between retries; injectable so tests run instantly.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// `--force-conflicts` on every apply: take fields another field manager owns.
    public var forceConflicts: Bool
    /// The provider's advice for refusals it knows better (a lost context, a stopped node).
    public var remedies: ClusterRemedies

    public init(
        runner: any CommandRunner,
        context: String,
        executable: String = "kubectl",
        retryPolicy: WebhookRetryPolicy = .default,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        forceConflicts: Bool = false,
        remedies: ClusterRemedies = ClusterRemedies()
    ) {
        self.forceConflicts = forceConflicts
        self.remedies = remedies
        self.runner = runner
        self.context = context
        self.executable = executable
        self.retryPolicy = retryPolicy
        self.sleep = sleep
    }

    /// `kubectl kustomize DIR`: renders an overlay offline (no cluster needed).
    public static func kustomize(
        _ directory: URL, runner: any CommandRunner, executable: String = "kubectl"
    ) async throws -> String {
        ManifestWork.rendered()
        return try await runner.run(Command(executable, ["kustomize", directory.path], timeout: .seconds(120)))
            .standardOutput
    }

    /// Server-side apply of `manifest` (YAML or JSON) fed on standard input, so secrets
    /// never appear on a command line. Retries while the output says an admission
    /// webhook could not be called (ingress-nginx right after install); every other refusal
    /// kubectl reads out (``KubectlRefusal``) is a ``Problem`` with its way through, never retried.
    /// Fields another field manager owns are a refusal unless ``forceConflicts``.
    /// - Parameter objects: `manifest`'s objects when the caller has them parsed already, to
    ///   name a refused object's namespace without parsing the text again.
    /// - Parameter namespace: where namespaced objects that name no namespace go (`-n`); nil:
    ///   kubectl's default.
    @discardableResult
    public func apply(_ manifest: String, objects: [ManifestDocument]? = nil, namespace: String? = nil) async throws
        -> CommandOutput
    {
        let command = clusterCommand(
            ["apply", "--server-side", "--field-manager=provision"] + (forceConflicts ? ["--force-conflicts"] : [])
                + Self.namespaceArguments(namespace) + ["-f", "-"],
            standardInput: Data(manifest.utf8), timeout: .seconds(300))
        var attempt = 1
        while true {
            let output = try await runner.execute(command)
            if output.exitStatus == 0 { return output }
            let failure = CommandError(command: command, reason: .exited(output.exitStatus), output: output)
            guard WebhookRetryPolicy.isWebhookUnavailable(failure.combinedOutput),
                let delay = retryPolicy.delay(afterAttempt: attempt)
            else { throw refusal(failure, applying: objects ?? ((try? ManifestDocument.parseStream(manifest)) ?? [])) }
            try await sleep(delay)
            attempt += 1
        }
    }

    /// A failed call as the ``Problem`` its refusal is, or the command error itself.
    func refusal(_ failure: CommandError, applying objects: @autoclosure () -> [ManifestDocument] = []) -> any Error {
        guard let refusal = KubectlRefusal.read(failure.combinedOutput) else { return failure }
        return refusal.problem(context: context, remedies: remedies, objects: objects(), cause: failure)
    }

    /// `kubectl label -f - KEY=VALUE --overwrite`: labels the objects of `manifest` (on stdin).
    ///
    /// kubectl reads every object again before it labels it (`Latest()` in kubectl
    /// pkg/cmd/label/label.go). A Job that deletes itself once finished
    /// (`ttlSecondsAfterFinished`: ingress-nginx's admission Jobs, 0) may be gone by then,
    /// whenever its image was cached: kubectl labels the other objects (`ContinueOnError()`)
    /// and exits 1 with `Error from server (NotFound): jobs.batch "NAME" not found`. Such a Job
    /// has done its work and has nothing left to label; every other failure is thrown.
    /// - Parameter objects: `manifest`'s objects when the caller has them parsed already.
    /// - Parameter namespace: where the objects that name no namespace were applied (`-n`).
    public func label(
        _ manifest: String, _ key: String, _ value: String, objects: [ManifestDocument]? = nil, namespace: String? = nil
    ) async throws {
        let command = clusterCommand(
            ["label"] + Self.namespaceArguments(namespace) + ["-f", "-", "\(key)=\(value)", "--overwrite"],
            standardInput: Data(manifest.utf8), timeout: .seconds(120))
        let output = try await runner.execute(command)
        if output.exitStatus == 0 { return }
        let parsed = objects ?? ((try? ManifestDocument.parseStream(manifest)) ?? [])
        let selfRemoving = parsed.filter(\.removesItselfWhenFinished)
        if Self.onlyJobsGone(output.standardError, among: Set(selfRemoving.map(\.name))) { return }
        throw CommandError(command: command, reason: .exited(output.exitStatus), output: output)
    }

    /// True when kubectl's standard error names only Jobs of `names` as not found (one line
    /// each, kubectl pkg/cmd/util/helpers.go `MultipleErrors`), besides the server's warnings.
    static func onlyJobsGone(_ standardError: String, among names: Set<String>) -> Bool {
        var gone = 0
        for line in standardError.split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
            if line.hasPrefix("Warning: ") { continue }
            guard let match = line.wholeMatch(of: /Error from server \(NotFound\): jobs\.batch "([^"]+)" not found\s*/),
                names.contains(String(match.1))
            else { return false }
            gone += 1
        }
        return gone > 0
    }

    /// `kubectl delete KIND,... -l KEY=VALUE --all-namespaces --ignore-not-found --wait
    /// --timeout=Ns`: only objects that carry the label, and only once they are gone.
    @discardableResult
    public func deleteLabelled(kinds: [String], label key: String, value: String, timeout: Duration) async throws
        -> CommandOutput
    {
        try await runner.run(clusterCommand(
            ["delete", kinds.joined(separator: ","), "-l", "\(key)=\(value)", "--all-namespaces",
             "--ignore-not-found", "--wait", "--timeout=\(Self.seconds(timeout))s"],
            timeout: timeout + .seconds(30)))
    }

    /// The address an Ingress reports in its status (the ingress controller publishes it:
    /// kind's ingress-nginx `localhost`, a cloud one its load balancer's IP or name), or nil
    /// while it has none.
    public func ingressAddress(name: String, namespace: String) async throws -> String? {
        let output = try await runner.run(clusterCommand(
            ["get", "ingress", name, "-n", namespace, "-o",
             "jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}"],
            timeout: .seconds(60)))
        let address = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return address.isEmpty ? nil : address
    }

    /// The first address a Gateway reports in its status (its data plane's load balancer), or
    /// nil while it has none.
    public func gatewayAddress(name: String, namespace: String) async throws -> String? {
        let output = try await runner.run(clusterCommand(
            ["get", "gateway", name, "-n", namespace, "-o", "jsonpath={.status.addresses[0].value}"],
            timeout: .seconds(60)))
        let address = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return address.isEmpty ? nil : address
    }

    /// `kubectl rollout status KIND/NAME -n NS --timeout=Ns`.
    public func rolloutStatus(_ kind: WorkloadKind, name: String, namespace: String, timeout: Duration) async throws {
        try await runner.run(clusterCommand(
            ["rollout", "status", "\(kind.rawValue)/\(name)", "-n", namespace, "--timeout=\(Self.seconds(timeout))s"],
            timeout: timeout + .seconds(30)))
    }

    /// `kubectl wait --for=condition=complete job/NAME -n NS --timeout=Ns`.
    ///
    /// The job was just applied, so this does not race its creation. A job that is gone
    /// has finished and been removed by its `ttlSecondsAfterFinished` (ingress-nginx's
    /// admission jobs use 0, so they vanish the moment they complete): that counts as done.
    public func waitForJobCompletion(name: String, namespace: String, timeout: Duration) async throws {
        let command = clusterCommand(
            ["wait", "--for=condition=complete", "job/\(name)", "-n", namespace, "--timeout=\(Self.seconds(timeout))s"],
            timeout: timeout + .seconds(30))
        let output = try await runner.execute(command)
        if output.exitStatus == 0 || Self.isNotFound(output.standardError) { return }
        throw CommandError(command: command, reason: .exited(output.exitStatus), output: output)
    }

    /// `kubectl wait --for=condition=COND RESOURCE/NAME [-n NS] --timeout=Ns`: an object's
    /// status condition is True (a CRD Established, a Gateway Programmed).
    public func waitForCondition(
        _ condition: String, resource: String, name: String, namespace: String?, timeout: Duration
    ) async throws {
        try await runner.run(clusterCommand(
            ["wait", "--for=condition=\(condition)", "\(resource)/\(name)"] + (namespace.map { ["-n", $0] } ?? [])
                + ["--timeout=\(Self.seconds(timeout))s"],
            timeout: timeout + .seconds(30)))
    }

    /// The route's first parent reports it `Accepted` and its backends resolved: two
    /// `--for=jsonpath` conditions in one `kubectl wait` (ANDed; kubectl >= 1.28). Route
    /// conditions live under `.status.parents[]`, so `--for=condition=` cannot see them.
    public func waitForRouteAttached(resource: String, name: String, namespace: String, timeout: Duration) async throws {
        let parentCondition = { (type: String) in
            "--for=jsonpath={.status.parents[0].conditions[?(@.type==\"\(type)\")].status}=True"
        }
        try await runner.run(clusterCommand(
            ["wait", parentCondition("Accepted"), parentCondition("ResolvedRefs"), "\(resource)/\(name)", "-n", namespace,
             "--timeout=\(Self.seconds(timeout))s"],
            timeout: timeout + .seconds(30)))
    }

    /// kubectl's message for a missing object: `Error from server (NotFound): ... not found`.
    static func isNotFound(_ standardError: String) -> Bool {
        standardError.contains("(NotFound)")
    }

    /// The namespace's `.status.phase` (`Active`, `Terminating`), or nil when it does not exist.
    public func namespacePhase(_ namespace: String) async throws -> String? {
        let command = clusterCommand(
            ["get", "namespace", namespace, "-o", "jsonpath={.status.phase}"], timeout: .seconds(60))
        let output = try await runner.execute(command)
        if output.exitStatus == 0 { return output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) }
        if Self.isNotFound(output.standardError) { return nil }
        throw CommandError(command: command, reason: .exited(output.exitStatus), output: output)
    }

    /// The decoded `data` of Secret `name`, or nil when it does not exist. The values travel
    /// on standard output only; a failure's error carries kubectl's messages, not the values.
    public func secretData(name: String, namespace: String) async throws -> [String: String]? {
        let command = clusterCommand(["get", "secret", name, "-n", namespace, "-o", "json"], timeout: .seconds(60))
        guard let printed = try await readSecret(command) else { return nil }
        let object = try? JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any]
        guard let object, object["kind"] as? String == "Secret" else {
            throw Problem(
                problem: "`\(command)` did not print a Secret as JSON",
                fix: "check that kubectl works against the cluster (kubectl --context \(context) get secrets -n \(namespace))")
        }
        var values: [String: String] = [:]
        for (key, encoded) in object["data"] as? [String: String] ?? [:] {
            if let bytes = Data(base64Encoded: encoded) { values[key] = String(decoding: bytes, as: UTF8.self) }
        }
        return values
    }

    /// Key `key` of Secret `name`, decoded, or nil when the Secret or the key is not there
    /// (kubectl's jsonpath prints nothing for a missing key). As ``secretData(name:namespace:)``,
    /// the value travels on standard output only and never into an error.
    public func secretValue(name: String, namespace: String, key: String) async throws -> String? {
        let command = secretValueCommand(name: name, namespace: namespace, key: key)
        guard let printed = try await readSecret(command), !printed.isEmpty else { return nil }
        guard let bytes = Data(base64Encoded: printed.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Problem(
                problem: "`\(command)` did not print base64",
                fix: "check that kubectl works against the cluster (kubectl --context \(context) get secrets -n \(namespace))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The command that prints key `key` of Secret `name` base64-encoded: what
    /// ``secretValue(name:namespace:key:)`` runs, and what a user runs (`| base64 -d`).
    public func secretValueCommand(name: String, namespace: String, key: String) -> Command {
        clusterCommand(["get", "secret", name, "-n", namespace, "-o", "jsonpath={.data.\(key)}"], timeout: .seconds(60))
    }

    /// What a `get secret` printed, or nil when the Secret does not exist. A failure's error
    /// keeps kubectl's standard error and drops standard output: it may hold secret values,
    /// and errors reach the terminal and the history.
    private func readSecret(_ command: Command) async throws -> String? {
        let output = try await runner.execute(command)
        if output.exitStatus == 0 { return output.standardOutput }
        if Self.isNotFound(output.standardError) { return nil }
        throw CommandError(command: command, reason: .exited(output.exitStatus),
                           output: CommandOutput(exitStatus: output.exitStatus, standardOutput: "",
                                                 standardError: output.standardError))
    }

    /// `kubectl exec -n NS POD [-c CONTAINER] -- COMMAND...`; throws unless it exits 0.
    public func exec(
        namespace: String, pod: String, container: String?, command: [String], timeout: Duration = .seconds(60)
    ) async throws -> CommandOutput {
        var arguments = ["exec", "-n", namespace, pod]
        if let container { arguments += ["-c", container] }
        return try await runner.run(clusterCommand(arguments + ["--"] + command, timeout: timeout))
    }

    /// `-n NAMESPACE` when one is given: where kubectl puts (and looks for) the namespaced
    /// objects of a manifest that name no namespace. Objects that name another are refused by
    /// kubectl (`the namespace from the provided object ... does not match`), cluster-scoped
    /// ones are not affected.
    static func namespaceArguments(_ namespace: String?) -> [String] {
        namespace.map { ["-n", $0] } ?? []
    }

    /// A kubectl command aimed at this context.
    public func clusterCommand(_ arguments: [String], standardInput: Data? = nil, timeout: Duration?) -> Command {
        Command(executable, ["--context", context] + arguments, standardInput: standardInput, timeout: timeout)
    }

    static func seconds(_ duration: Duration) -> Int64 {
        max(1, duration.components.seconds + (duration.components.attoseconds > 0 ? 1 : 0))
    }
}
