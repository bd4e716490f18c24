import Kubernetes
import Foundation
import ProcessRunning
import ProvisionCore
import Testing
import TestSupport

/// Components declared here, so these tests do not depend on the real catalog.
private struct Database: Component {
    let id: ComponentID = "database"
    let summary = "test database"
    var secrets: [SecretSpec] {
        [SecretSpec(name: "db-credentials", namespace: "apps", keys: [
            ("USER", .literal("admin")), ("PASSWORD", .random(length: 32)),
        ])]
    }
    var smokeChecks: [SmokeCheck] {
        [.exec(namespace: "apps", pod: "db-0", container: "db", command: ["psql", "-c", "\\l"], expecting: "apps")]
    }
}

private struct Web: Component {
    let id: ComponentID = "web"
    let summary = "test web"
    var smokeChecks: [SmokeCheck] { [.httpGet(url: "http://localhost/web/config", expectJSON: true)] }
}

private struct Controller: Component {
    let id: ComponentID = "controller"
    let summary = "test remote manifest"
    var resources: ResourceSource { .pinnedManifest("controller.yaml") }
    /// Overrides what the manifest contains (a Namespace and a Job) with explicit checks.
    var readiness: Readiness {
        .only([.jobCompleted(name: "setup", namespace: "ctl"), .rolledOut(.deployment, name: "ctl", namespace: "ctl")])
    }
}

@Suite("the shared deployment layer: apply, readiness, smoke checks")
struct KubernetesDeploymentTests {
    static let overlay = """
        apiVersion: v1
        kind: Namespace
        metadata:
          labels:
            wrightnow/component: web
          name: apps
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          labels:
            wrightnow/component: database
          name: db
          namespace: apps
        spec: {}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          labels:
            wrightnow/component: database
          name: db
          namespace: apps
        """

    static let remote = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ctl\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: setup\n  namespace: ctl\n"

    static func applies(_ runner: ScriptedRunner) -> [Command] {
        runner.calls.filter { $0.arguments.contains("apply") }
    }

    static let secretNotFound = ScriptedRunner.Answer.output(
        exit: 1, stderr: "Error from server (NotFound): secrets \"db-credentials\" not found\n")

    @Test func appliesSecretsThenTheComponentsObjectsServerSide() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("kubectl", containing: ["get", "secret"], answers: Self.secretNotFound)
        fixture.runner.on("kubectl", containing: ["apply"], answers: .output(stdout: "statefulset.apps/db serverside-applied\n"))

        let result = try await fixture.deployment.deploy(Database())
        let webResult = try await fixture.deployment.deploy(Web())

        // Rendered once per run, for all components.
        #expect(fixture.runner.commandLines.filter { $0.hasPrefix("kubectl kustomize") }
            == ["kubectl kustomize \(fixture.cluster.overlayDirectory.path)"])
        let applies = Self.applies(fixture.runner)
        #expect(applies.count == 3)
        for apply in applies {
            #expect(apply.arguments == [
                // No --force-conflicts: another field manager's change is named, not overwritten.
                "--context", "test-context", "apply", "--server-side", "--field-manager=provision", "-f", "-",
            ])
        }
        // First the Secret, with the vault's value, on standard input only.
        let secretJSON = try #require(applies[0].standardInput)
        let secret = try #require(try JSONSerialization.jsonObject(with: secretJSON) as? [String: Any])
        let data = try #require(secret["data"] as? [String: String])
        let password = try #require(try fixture.vault.storedValues(of: "db-credentials")?.first?.value)
        #expect(secret["kind"] as? String == "Secret")
        #expect((secret["metadata"] as? [String: Any])?["namespace"] as? String == "apps")
        #expect(data["PASSWORD"] == Data(password.utf8).base64EncodedString())
        #expect(data["USER"] == Data("admin".utf8).base64EncodedString())
        #expect(!fixture.runner.commandLines.joined().contains(password))

        // Then exactly the component's subset, digested as sent.
        let sent = String(decoding: try #require(applies[1].standardInput), as: UTF8.self)
        #expect(sent.contains("kind: StatefulSet") && sent.contains("kind: Service") && !sent.contains("kind: Namespace"))
        #expect(result.digest == SHA256.hexDigest(of: sent) && result.objects.count == 2 && result.body == sent)
        #expect(result.objects.map(\.reference) == ["StatefulSet/apps/db", "Service/apps/db"])
        #expect(webResult.objects.count == 1)
    }

    /// The vault lost its file (or the stack was first deployed by hand) while the cluster
    /// keeps the Secret and the data it protects: the cluster's password is adopted, not replaced.
    @Test func aSecretAlreadyInTheClusterIsAdoptedWhenTheVaultHasNoValue() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        let existing = "PasswordTheDatabaseWasCreatedWith"
        let secret = """
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db-credentials","namespace":"apps"},\
            "data":{"USER":"\(Data("admin".utf8).base64EncodedString())","PASSWORD":"\(Data(existing.utf8).base64EncodedString())"}}
            """
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("kubectl", containing: ["get", "secret"], answers: .output(stdout: secret))
        fixture.runner.on("kubectl", containing: ["apply"], answers: .output(stdout: "applied\n"))

        _ = try await fixture.deployment.deploy(Database())
        let vault = fixture.vault
        #expect(try vault.storedValues(of: "db-credentials")?.first { $0.key == "PASSWORD" }?.value == existing)
        let applied = try #require(Self.applies(fixture.runner).first?.standardInput)
        let data = try #require((try JSONSerialization.jsonObject(with: applied) as? [String: Any])?["data"] as? [String: String])
        #expect(data["PASSWORD"] == Data(existing.utf8).base64EncodedString())

        // Once the vault has every value, the cluster is not asked again.
        _ = try await fixture.deployment.deploy(Database())
        #expect(fixture.runner.commandLines.filter { $0.contains("get secret") }.count == 1)
    }

    @Test func aSecretLookupThatFailsForAnotherReasonStopsTheApply() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("kubectl", containing: ["get", "secret"], answers: .output(
            exit: 1, stderr: "Error from server (Forbidden): secrets \"db-credentials\" is forbidden\n"))
        await #expect(throws: CommandError.self) { try await fixture.deployment.deploy(Database()) }
        // Nothing generated, nothing applied: a guess could lock out existing data.
        #expect(try fixture.vault.storedValues(of: "db-credentials") == nil)
        #expect(Self.applies(fixture.runner).isEmpty)
    }

    /// A generic overlay without kind's StorageClass has nothing for `storage`: nothing is
    /// applied, and the empty result tells the deployer to record the step as skipped.
    @Test func aComponentTheOverlayHasNothingForAppliesNothing() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        let result = try await fixture.deployment.deploy(Controller.Overlay())
        #expect(result.objects.count == 0)
        #expect(Self.applies(fixture.runner).isEmpty)
        #expect(try await fixture.release(Controller.Overlay()).readiness.isEmpty)
    }

    @Test("remove deletes by the component's label, kind by kind, keeping claims and namespaces unless purging")
    func removeDeletesByLabel() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay + """

            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              labels:
                wrightnow/component: database
              name: db-data
              namespace: apps
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              labels:
                wrightnow/component: database
              name: apps
            """))
        fixture.runner.on("kubectl", containing: ["delete"], answers: .output(
            stdout: "statefulset.apps \"db\" deleted\nservice \"db\" deleted\n"))
        let kept = try await fixture.deployment.remove(try await fixture.release(Database()), keepingData: true, timeout: .seconds(60))
        #expect(kept == "deleted 2 objects; kept 1 claim and 1 namespace (--purge-data deletes them)")
        let purged = try await fixture.deployment.remove(try await fixture.release(Database()), keepingData: false, timeout: .seconds(60))
        #expect(purged == "deleted 2 objects")
        #expect(fixture.runner.commandLines.filter { $0.contains(" delete ") } == [
            "kubectl --context test-context delete StatefulSet,Service -l wrightnow/component=database --all-namespaces --ignore-not-found --wait --timeout=60s",
            "kubectl --context test-context delete StatefulSet,Service,PersistentVolumeClaim,Namespace -l wrightnow/component=database --all-namespaces --ignore-not-found --wait --timeout=60s",
        ])
    }

    @Test func webhookRefusalIsRetriedWithBackoffThenSucceeds() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        let refusal = #"Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "validate.nginx.ingress.kubernetes.io": failed to call webhook: Post "https://ingress-nginx-controller-admission.ingress-nginx.svc:443/networking/v1/ingresses?timeout=10s": dial tcp 10.96.0.1:443: connect: connection refused"#
        fixture.runner.on("kubectl", containing: ["apply"], answers:
            .output(exit: 1, stderr: refusal), .output(exit: 1, stderr: refusal), .output(stdout: "namespace/apps serverside-applied\n"))
        _ = try await fixture.deployment.deploy(Web())
        #expect(Self.applies(fixture.runner).count == 3)
        #expect(fixture.sleeps.all == [.seconds(2), .seconds(4)])
    }

    @Test func webhookRefusalGivesUpAfterTheBoundedAttempts() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("kubectl", containing: ["apply"], answers: .output(exit: 1, stderr: "failed calling webhook \"x\": connection refused"))
        await #expect {
            try await fixture.deployment.deploy(Web())
        } throws: { "\($0)".contains("kubectl --context test-context apply --server-side") }
        #expect(Self.applies(fixture.runner).count == 4)
        #expect(fixture.sleeps.all == [.seconds(2), .seconds(4), .seconds(5)])
    }

    @Test func otherApplyFailuresAreNotRetried() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("kubectl", containing: ["apply"], answers: .output(exit: 1, stderr: "error: the server doesn't have a resource type \"Namespace\""))
        await #expect(throws: CommandError.self) { try await fixture.deployment.deploy(Web()) }
        #expect(Self.applies(fixture.runner).count == 1)
        #expect(fixture.sleeps.all.isEmpty)
    }

    /// Writes the pin `Controller` reads into the fixture's `k8s/`.
    static func pin(_ fixture: DeploymentFixture, sha256: String) throws {
        _ = try fixture.temporary.write(
            "# test pin\nurl: https://example.invalid/deploy.yaml\nsha256: \(sha256)\n",
            to: "repo/k8s/overlays/local/pins/controller.yaml")
    }

    @Test func remoteManifestIsFetchedOnceWithCurlAndAppliedAsFetched() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        try Self.pin(fixture, sha256: SHA256.hexDigest(of: Self.remote))
        fixture.runner.on("curl", prefix: [], answers: [.output(stdout: Self.remote)])
        fixture.runner.on("kubectl", containing: ["apply"], answers: .output(stdout: "namespace/ctl serverside-applied\n"))
        fixture.runner.on("kubectl", containing: ["label"], answers: .output(stdout: "namespace/ctl labeled\njob.batch/setup labeled\n"))
        let first = try await fixture.deployment.deploy(Controller())
        _ = try await fixture.deployment.deploy(Controller())
        #expect(fixture.runner.commandLines.filter { $0.hasPrefix("curl") }
            == ["curl -fsSL --retry 3 --max-time 120 https://example.invalid/deploy.yaml"])
        let applied = try #require(Self.applies(fixture.runner).first?.standardInput)
        #expect(applied == Data(Self.remote.utf8))
        #expect(first.digest == SHA256.hexDigest(of: Self.remote) && first.objects.count == 2 && first.body == Self.remote)
        // Upstream objects get the component's label, so `down` finds them by it.
        let labels = fixture.runner.calls.filter { $0.arguments.contains("label") }
        #expect(labels.map(\.description) == Array(repeating:
            "kubectl --context test-context label -f - wrightnow/component=controller --overwrite", count: 2))
        #expect(labels.first?.standardInput == Data(Self.remote.utf8))
    }

    /// An upstream manifest with a Job that deletes itself once finished and one that does not.
    static let remoteWithFinishingJob = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ctl
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: setup
          namespace: ctl
        spec:
          ttlSecondsAfterFinished: 0
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
          namespace: ctl
        """

    /// What the real kubectl answers when `label -f -` finds an object gone: the others are
    /// labelled, each missing one is a line on stderr, exit 1 (the fake kubectl cites the source).
    static func labelAnswer(gone: [String], also: String = "") -> ScriptedRunner.Answer {
        .output(exit: 1, stdout: "namespace/ctl labeled\n",
                stderr: gone.map { "Error from server (NotFound): jobs.batch \"\($0)\" not found\n" }.joined() + also)
    }

    @Test("labelling forgives a Job gone by its ttlSecondsAfterFinished, and nothing else", arguments: [
        (gone: ["setup"], also: "", forgiven: true),
        (gone: ["setup"], also: "Warning: batch/v1 Job is labelled\n", forgiven: true),
        (gone: ["migrate"], also: "", forgiven: false),
        (gone: ["setup", "migrate"], also: "", forgiven: false),
        (gone: ["setup"], also: "error: You must be logged in to the server (Unauthorized)\n", forgiven: false),
        (gone: [], also: "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n",
         forgiven: false),
    ])
    func labellingForgivesOnlySelfRemovedJobs(gone: [String], also: String, forgiven: Bool) async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["label"], answers: Self.labelAnswer(gone: gone, also: also))
        let labelling = { try await fixture.deployment.kubectl.label(Self.remoteWithFinishingJob, "wrightnow/component", "controller") }
        if forgiven {
            try await labelling()
        } else {
            let error = await #expect(throws: CommandError.self) { try await labelling() }
            #expect(error?.description.contains("not found") == !gone.isEmpty)
        }
    }

    @Test func aDownloadWhoseDigestDiffersFromThePinIsNotApplied() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        let pinned = SHA256.hexDigest(of: "something else")
        try Self.pin(fixture, sha256: pinned)
        fixture.runner.on("curl", prefix: [], answers: [.output(stdout: Self.remote)])
        let error = await #expect(throws: Problem.self) {
            try await fixture.deployment.deploy(Controller())
        }
        #expect(error?.problem.contains("k8s/overlays/local/pins/controller.yaml pins \(pinned)") == true)
        #expect(error?.problem.contains(SHA256.hexDigest(of: Self.remote)) == true)
        #expect(Self.applies(fixture.runner).isEmpty)
    }

    @Test func aPinWithoutDigestIsReportedWithTheFix() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        _ = try fixture.temporary.write(
            "url: https://example.invalid/deploy.yaml\n", to: "repo/k8s/overlays/local/pins/controller.yaml")
        let error = await #expect(throws: Problem.self) {
            try await fixture.deployment.deploy(Controller())
        }
        #expect(error?.problem.contains("has no `sha256:`") == true)
        #expect(error?.fix.contains("sha256sum") == true)
        #expect(fixture.runner.calls.isEmpty)
    }

    /// The overlay selects what it installs from upstream: a pin of a kustomize Component it
    /// lists counts, several manifests in one pin go out as one stream, and a pin no overlay
    /// place holds leaves the component with nothing (its step is skipped).
    @Test func pinsComeFromTheOverlayAndTheComponentsItLists() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        let second = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: ctl\n"
        _ = try fixture.temporary.write(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncomponents:\n  - ../../components/edge\n",
            to: "repo/k8s/overlays/local/kustomization.yaml")
        _ = try fixture.temporary.write(
            """
            manifests:
              - url: https://example.invalid/deploy.yaml
                sha256: \(SHA256.hexDigest(of: Self.remote))
              - url: https://example.invalid/extra.yaml
                sha256: \(SHA256.hexDigest(of: second))

            """, to: "repo/k8s/components/edge/pins/controller.yaml")
        fixture.runner.on("curl", containing: ["https://example.invalid/deploy.yaml"], answers: .output(stdout: Self.remote))
        fixture.runner.on("curl", containing: ["https://example.invalid/extra.yaml"], answers: .output(stdout: second))
        fixture.runner.on("kubectl", containing: ["apply"], answers: .output(stdout: "applied\n"))
        fixture.runner.on("kubectl", containing: ["label"], answers: .output(stdout: "labeled\n"))
        #expect(try fixture.deployment.pinFile("controller.yaml")?.shown == "k8s/components/edge/pins/controller.yaml")
        let applied = try await fixture.deployment.deploy(Controller())
        #expect(applied.objects.count == 3)
        #expect(applied.body == Self.remote + "---\n" + second, "\(applied.body)")
        #expect(Self.applies(fixture.runner).count == 1)

        // The overlay's own pins/ wins over its Component's.
        try Self.pin(fixture, sha256: SHA256.hexDigest(of: Self.remote))
        #expect(try fixture.deployment.pinFile("controller.yaml")?.shown == "k8s/overlays/local/pins/controller.yaml")

        // Nothing anywhere: nothing to apply, nothing downloaded.
        #expect(try fixture.deployment.pinFile("elsewhere.yaml") == nil)
        #expect(try await fixture.release(Unselected()).isEmpty)
        #expect(try await fixture.deployment.deploy(Unselected()).objects.count == 0)
    }

    private struct Unselected: Component {
        let id: ComponentID = "unselected"
        let summary = "pinned where this overlay does not look"
        var resources: ResourceSource { .pinnedManifest("elsewhere.yaml") }
    }

    @Test func readinessWaitsForJobsThenRolloutsWithinTheTimeout() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["wait"], answers: .output(stdout: "job.batch/setup condition met\n"))
        fixture.runner.on("kubectl", containing: ["rollout"], answers: .output(stdout: "deployment \"ctl\" successfully rolled out\n"))
        try await fixture.deployment.waitUntilReady(try await fixture.release(Controller()), timeout: .seconds(300))
        let lines = fixture.runner.commandLines
        #expect(lines.count == 2)
        #expect(lines[0] == "kubectl --context test-context wait --for=condition=complete job/setup -n ctl --timeout=300s")
        #expect(lines[1].hasPrefix("kubectl --context test-context rollout status deployment/ctl -n ctl --timeout="))
        let secondTimeout = Int(lines[1].split(separator: "=").last!.dropLast())!
        #expect(secondTimeout <= 300 && secondTimeout >= 290)
    }

    /// ingress-nginx's admission jobs have ttlSecondsAfterFinished: 0 and vanish once complete.
    @Test func aJobAlreadyRemovedAfterFinishingCountsAsComplete() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["wait"], answers: .output(
            exit: 1, stderr: "Error from server (NotFound): jobs.batch \"setup\" not found\n"))
        fixture.runner.on("kubectl", containing: ["rollout"], answers: .output(stdout: "deployment \"ctl\" successfully rolled out\n"))
        try await fixture.deployment.waitUntilReady(try await fixture.release(Controller()), timeout: .seconds(60))
        #expect(fixture.runner.calls.count == 2)
    }

    @Test func aJobThatDoesNotCompleteInTimeIsNamed() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["wait"], answers: .output(
            exit: 1, stderr: "error: timed out waiting for the condition on jobs/setup\n"))
        await #expect {
            try await fixture.deployment.waitUntilReady(try await fixture.release(Controller()), timeout: .seconds(60))
        } throws: { error in
            "\(error)".hasPrefix("controller: job setup in ctl did not complete within 60 s")
                && "\(error)".contains("describe job/setup -n ctl")
        }
        #expect(!fixture.runner.commandLines.contains { $0.contains("rollout") })
    }

    @Test func rolloutTimeoutNamesTheWorkloadAndHowToLook() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("kubectl", containing: ["rollout"], answers: .output(
            exit: 1, stdout: "Waiting for statefulset \"db\" rollout to finish: 0 of 1 updated replicas are available...\n",
            stderr: "error: timed out waiting for the condition\n"))
        await #expect {
            try await fixture.deployment.waitUntilReady(try await fixture.release(Database()), timeout: .seconds(60))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("database: statefulset db in apps did not become ready within 60 s")
                && text.contains("kubectl --context test-context describe statefulset/db -n apps")
                && text.contains("timed out waiting for the condition")
                && text.contains("rollout status statefulset/db")
        }
    }

    @Test func namespaceReadinessReadsThePhase() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("kubectl", containing: ["get", "namespace", "apps"], answers: .output(stdout: "Active"), .output(stdout: "Terminating"))
        try await fixture.deployment.waitUntilReady(try await fixture.release(Web()), timeout: .seconds(10))
        #expect(fixture.runner.commandLines.filter { !$0.contains(" kustomize ") }
            == ["kubectl --context test-context get namespace apps -o 'jsonpath={.status.phase}'"])
        await #expect {
            try await fixture.deployment.waitUntilReady(try await fixture.release(Web()), timeout: .seconds(10))
        } throws: { "\($0)".contains("namespace apps is Terminating") }
    }

    @Test func execSmokeCheckPassesOnExpectedOutput() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["exec"], answers: .output(stdout: " apps | postgres | UTF8\n"))
        try await fixture.deployment.smokeCheck(DeploymentFixture.bare(Database()))
        #expect(fixture.runner.commandLines == ["kubectl --context test-context exec -n apps db-0 -c db -- psql -c '\\l'"])
    }

    @Test func execSmokeCheckRetriesThenReportsTheFailure() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["exec"], answers: .output(exit: 2, stderr: "psql: error: connection to server failed\n"))
        await #expect {
            try await fixture.deployment.smokeCheck(DeploymentFixture.bare(Database()))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("database: smoke check in db-0 (apps) failed") && text.contains("connection to server failed")
        }
        #expect(fixture.runner.calls.count == 5)
        #expect(fixture.sleeps.all == Array(repeating: .seconds(3), count: 4))
    }

    @Test func execSmokeCheckWithoutTheExpectedTextFails() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["exec"], answers: .output(stdout: " postgres | postgres | UTF8\n"))
        await #expect {
            try await fixture.deployment.smokeCheck(DeploymentFixture.bare(Database()))
        } throws: { "\($0)".contains("did not print `apps`") }
    }

    @Test func httpSmokeCheckNeedsJSON() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        fixture.runner.on("curl", prefix: [], answers: [.output(stdout: "<html>API browser</html>"), .output(stdout: "{\"capabilities\": []}")])
        try await fixture.deployment.smokeCheck(try await fixture.release(Web()))
        #expect(fixture.runner.commandLines.filter { !$0.contains(" kustomize ") }
            == Array(repeating: "curl -fsS --max-time 10 http://localhost/web/config", count: 2))

        let down = try DeploymentFixture()
        defer { down.temporary.remove() }
        down.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        down.runner.on("curl", prefix: [], answers: [.output(exit: 7, stderr: "curl: (7) Failed to connect to localhost port 80\n")])
        await #expect {
            try await down.deployment.smokeCheck(try await down.release(Web()))
        } throws: {
            // The fix names the run's context: kubectl's current one may be another cluster's.
            "\($0)".contains("http://localhost/web/config did not answer with success")
                && "\($0)".contains("`kubectl --context test-context get httproutes -A`")
        }

        let html = try DeploymentFixture()
        defer { html.temporary.remove() }
        html.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        html.runner.on("curl", prefix: [], answers: [.output(stdout: "<html>API browser</html>")])
        await #expect {
            try await html.deployment.smokeCheck(try await html.release(Web()))
        } throws: { "\($0)".contains("not with JSON (starts with: <html>") }
    }
}

@Suite("readiness comes from the applied objects")
struct DerivedReadinessTests {
    /// Declares nothing about readiness: it waits for what its manifest runs.
    private struct Upstream: Component {
        let id: ComponentID = "upstream"
        let summary = "an upstream manifest with a namespace, a job, a deployment and a daemon set"
        var resources: ResourceSource { .pinnedManifest("upstream.yaml") }
    }

    /// Its workloads, then one more check the manifests cannot say.
    private struct WithExtra: Component {
        let id: ComponentID = "database"
        let summary = "the overlay's database plus a namespace it does not own"
        var readiness: Readiness { .workloads(plus: [.namespaceActive("shared")]) }
    }

    static let upstream = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
          namespace: up
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: controller
          namespace: up
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: up
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: certgen
          namespace: up
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: up
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: web
          namespace: up
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: edge
          namespace: up
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: nginx
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.invalid
        ---
        apiVersion: example.invalid/v1
        kind: Gateway
        metadata:
          name: not-gateway-api
          namespace: up
        """

    /// Pins `upstream` in the fixture's overlay and lets curl download it.
    private static func pinned(_ fixture: DeploymentFixture) throws {
        _ = try fixture.temporary.write(
            "url: https://example.invalid/upstream.yaml\nsha256: \(SHA256.hexDigest(of: upstream))\n",
            to: "repo/k8s/overlays/local/pins/upstream.yaml")
        fixture.runner.on("curl", prefix: [], answers: [.output(stdout: Self.upstream)])
    }

    /// Every wait, rollout and namespace look answers ready (after any rule a test added first).
    private static func everythingReady(_ fixture: DeploymentFixture) {
        fixture.runner.on("kubectl", containing: ["wait"], answers: .output(stdout: "condition met\n"))
        fixture.runner.on("kubectl", containing: ["rollout"], answers: .output(stdout: "successfully rolled out\n"))
        fixture.runner.on("kubectl", containing: ["get", "namespace"], answers: .output(stdout: "Active"))
    }

    @Test("namespaces and CRDs, then jobs, workloads, gateways and routes; objects without readiness add nothing")
    func checksFollowTheManifest() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        try Self.pinned(fixture)
        #expect(try await fixture.release(Upstream()).readiness == [
            .namespaceActive("up"),
            .conditionTrue(resource: "customresourcedefinition", name: "widgets.example.invalid", namespace: nil, condition: "Established"),
            .jobCompleted(name: "certgen", namespace: "up"),
            .rolledOut(.deployment, name: "controller", namespace: "up"),
            .rolledOut(.daemonSet, name: "agent", namespace: "up"),
            .conditionTrue(resource: "gatewayclass", name: "nginx", namespace: nil, condition: "Accepted"),
            .conditionTrue(resource: "gateway", name: "edge", namespace: "up", condition: "Programmed"),
            .routeAttached(resource: "httproute", name: "web", namespace: "up"),
        ])
    }

    @Test("gateways, classes and CRDs wait on their condition; a route on its parent's Accepted and ResolvedRefs")
    func controllerReportedReadiness() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        try Self.pinned(fixture)
        Self.everythingReady(fixture)
        try await fixture.deployment.waitUntilReady(try await fixture.release(Upstream()), timeout: .seconds(60))
        // The timeout is what remains of the 60 s when each wait starts: not compared here.
        let waits = fixture.runner.commandLines.filter { $0.contains(" wait ") && !$0.contains("job/") }
            .map { $0.replacing(#/ --timeout=\d+s$/#, with: "") }
        #expect(waits == [
            "kubectl --context test-context wait --for=condition=Established customresourcedefinition/widgets.example.invalid",
            "kubectl --context test-context wait --for=condition=Accepted gatewayclass/nginx",
            "kubectl --context test-context wait --for=condition=Programmed gateway/edge -n up",
            "kubectl --context test-context wait "
                + #"'--for=jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True' "#
                + #"'--for=jsonpath={.status.parents[0].conditions[?(@.type=="ResolvedRefs")].status}=True' "#
                + "httproute/web -n up",
        ], "\(waits)")
    }

    @Test("a Gateway that never reports Programmed names itself and how to see why")
    func gatewayNotProgrammed() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        try Self.pinned(fixture)
        fixture.runner.on("kubectl", containing: ["gateway/edge"], answers: .output(
            exit: 1, stderr: "error: timed out waiting for the condition on gateways/edge\n"))
        Self.everythingReady(fixture)
        let error = await #expect(throws: Problem.self) {
            try await fixture.deployment.waitUntilReady(try await fixture.release(Upstream()), timeout: .seconds(60))
        }
        #expect(error?.problem == "upstream: gateway edge in up did not report Programmed within 60 s", "\(String(describing: error))")
        #expect(error?.fix.contains("kubectl --context test-context describe gateway/edge -n up") == true)
    }

    @Test("an overlay component waits for its own labelled workloads, then its extra checks")
    func overlayWorkloadsPlusExtra() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: KubernetesDeploymentTests.overlay))
        #expect(try await fixture.release(WithExtra()).readiness == [
            .rolledOut(.statefulSet, name: "db", namespace: "apps"), .namespaceActive("shared"),
        ])
        fixture.runner.on("kubectl", containing: ["rollout"], answers: .output(stdout: "statefulset rolling update complete\n"))
        fixture.runner.on("kubectl", containing: ["get", "namespace", "shared"], answers: .output(stdout: "Active"))
        try await fixture.deployment.waitUntilReady(try await fixture.release(WithExtra()), timeout: .seconds(30))
        #expect(fixture.runner.commandLines.filter { !$0.contains(" kustomize ") } == [
            "kubectl --context test-context rollout status statefulset/db -n apps --timeout=30s",
            "kubectl --context test-context get namespace shared -o 'jsonpath={.status.phase}'",
        ])
    }

    @Test("a pinned manifest is cached by digest: the next deployment downloads nothing; a damaged copy is fetched again")
    func pinnedManifestsAreCached() async throws {
        let fixture = try DeploymentFixture()
        defer { fixture.temporary.remove() }
        try Self.pinned(fixture)
        _ = try await fixture.release(Upstream()).readiness
        let copies = try FileManager.default.contentsOfDirectory(atPath: fixture.cacheDirectory.path)
        #expect(copies == ["\(SHA256.hexDigest(of: Self.upstream)).yaml"])

        // A new process (a new ManifestSource) on the same cache.
        let again = ManifestSource(runner: fixture.runner, cacheDirectory: fixture.cacheDirectory)
        let pin = try ManifestPin.load(from: fixture.cluster.overlayDirectory.appending(path: "pins/upstream.yaml"))
        #expect(try await again.pinned(pin, pinFile: "k8s/overlays/local/pins/upstream.yaml") == Self.upstream)
        #expect(fixture.runner.commandLines.filter { $0.hasPrefix("curl") }.count == 1)

        try "tampered".write(
            to: fixture.cacheDirectory.appending(path: copies[0]), atomically: true, encoding: .utf8)
        let third = ManifestSource(runner: fixture.runner, cacheDirectory: fixture.cacheDirectory)
        #expect(try await third.pinned(pin, pinFile: "k8s/overlays/local/pins/upstream.yaml") == Self.upstream)
        #expect(fixture.runner.commandLines.filter { $0.hasPrefix("curl") }.count == 2)
    }
}

extension Controller {
    /// A component the overlay does not render.
    struct Overlay: Component {
        let id: ComponentID = "stray"
        let summary = "not in the overlay"
    }
}

@Suite("smoke checks go where the Ingress is published")
struct IngressRouteTests {
    private struct Portal: Component {
        let id: ComponentID = "portal"
        let summary = "a service behind an Ingress"
        var smokeChecks: [SmokeCheck] { [.httpGet(url: "http://localhost/portal/health", expectJSON: true)] }
    }

    static func overlay(host: String) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          labels:
            wrightnow/component: portal
          name: portal
          namespace: web
        spec:
          rules:
          - host: \(host)
            http:
              paths:
              - backend:
                  service:
                    name: portal
                    port:
                      number: 80
                path: /portal/
                pathType: Prefix
        """
    }

    @Test("a remote cluster: the load balancer's address, the Ingress host as Host header")
    func remoteCluster() async throws {
        let fixture = try DeploymentFixture()
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay(host: "staging.wrightnow.example")))
        // `-o jsonpath=...` prints the value alone, without a newline (kubectl's JSONPath printer).
        fixture.runner.on("kubectl", containing: ["get", "ingress", "portal"], answers: .output(stdout: "203.0.113.10"))
        fixture.runner.on("curl", prefix: [], answers: [.output(stdout: "{\"status\":\"ok\"}")])
        try await fixture.deployment.smokeCheck(try await fixture.release(Portal()))
        #expect(fixture.runner.commandLines.filter { !$0.contains(" kustomize ") } == [
            "kubectl --context test-context get ingress portal -n web -o 'jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}'",
            "curl -fsS --max-time 10 -H 'Host: staging.wrightnow.example' http://203.0.113.10/portal/health",
        ])
    }

    @Test("kind: the controller publishes localhost, the URL is used as written")
    func kindCluster() async throws {
        let fixture = try DeploymentFixture()
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay(host: "localhost")))
        fixture.runner.on("kubectl", containing: ["get", "ingress"], answers: .output(stdout: "localhost"))
        fixture.runner.on("curl", prefix: [], answers: [.output(stdout: "{}")])
        try await fixture.deployment.smokeCheck(try await fixture.release(Portal()))
        #expect(fixture.runner.commandLines.last == "curl -fsS --max-time 10 http://localhost/portal/health")
    }

    @Test("an Ingress without an address yet is named, with how to look")
    func noAddressYet() async throws {
        let fixture = try DeploymentFixture()
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay(host: "staging.wrightnow.example")))
        fixture.runner.on("kubectl", containing: ["get", "ingress"], answers: .output(stdout: ""))
        await #expect {
            try await fixture.deployment.smokeCheck(try await fixture.release(Portal()))
        } throws: { error in
            "\(error)".contains("portal: Ingress portal has no address yet")
                && "\(error)".contains("kubectl --context test-context get ingress -n web")
        }
        #expect(!fixture.runner.commandLines.contains { $0.hasPrefix("curl") })
    }
}
