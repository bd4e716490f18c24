import Foundation
import ProcessRunning
import ProvisionCore
import Testing
import TestSupport
@testable import Kubernetes

/// A pinned manifest that names no namespace (Argo CD's install.yaml) is applied into the one
/// its pin file names, `namespace:`, as `kubectl apply -n` would: the apply, the label step,
/// the readiness, the survey's diff and `remove` all look for its objects there.
@Suite("a pin's namespace for a manifest that names none")
struct PinnedNamespaceTests {
    /// Pinned in the fixture's overlay; its Namespace object comes from the overlay.
    private struct GitOps: Component {
        let id: ComponentID = "gitops"
        let summary = "an upstream manifest without namespaces"
        var resources: ResourceSource { .pinnedManifest("gitops.yaml") }
    }

    /// An overlay component beside it, whose objects name their namespace.
    private struct Web: Component {
        let id: ComponentID = "web"
        let summary = "test web"
    }

    static let upstream = """
        # This is an auto-generated file. DO NOT EDIT
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: applications.argoproj.io
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
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
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: server
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: controller

        """

    static let overlay = """
        apiVersion: v1
        kind: Namespace
        metadata:
          labels:
            wrightnow/component: gitops
          name: gitops
        ---
        apiVersion: v1
        kind: Service
        metadata:
          labels:
            wrightnow/component: web
          name: web
          namespace: apps

        """

    /// The fixture's overlay pins `upstream` with `namespace: gitops`; curl serves it.
    private static func fixture() throws -> DeploymentFixture {
        let fixture = try DeploymentFixture()
        _ = try fixture.temporary.write(
            "namespace: gitops\nurl: https://example.invalid/install.yaml\nsha256: \(SHA256.hexDigest(of: upstream))\n",
            to: "repo/k8s/overlays/local/pins/gitops.yaml")
        fixture.runner.on("curl", prefix: [], answers: [.output(stdout: Self.upstream)])
        fixture.runner.on("kubectl", "kustomize", answers: .output(stdout: Self.overlay))
        return fixture
    }

    @Test("the pin file's namespace: is read, and must be a namespace name")
    func pinFileNamespace() throws {
        let pins = try ManifestPin.parseAll(
            "namespace: argocd\nurl: https://example.invalid/a.yaml\nsha256: \(String(repeating: "a", count: 64))\n", file: "p")
        #expect(pins.map(\.namespace) == ["argocd"])
        let listed = try ManifestPin.parseAll("""
            namespace: tools
            manifests:
              - url: https://example.invalid/a.yaml
                sha256: \(String(repeating: "a", count: 64))
              - url: https://example.invalid/b.yaml
                sha256: \(String(repeating: "b", count: 64))
            """, file: "p")
        #expect(listed.map(\.namespace) == ["tools", "tools"])
        #expect(try ManifestPin.parseAll("url: https://example.invalid/a.yaml\nsha256: \(String(repeating: "a", count: 64))\n", file: "p")
            .map(\.namespace) == [nil])
        #expect {
            try ManifestPin.parseAll("namespace: Argo_CD\nurl: https://example.invalid/a.yaml\nsha256: \(String(repeating: "a", count: 64))\n", file: "k8s/p.yaml")
        } throws: { "\($0)".contains("k8s/p.yaml has a `namespace:` that is not a namespace name") }
    }

    @Test("its namespaced objects are placed in the pin's namespace after the overlay's Namespace; readiness follows")
    func prepared() async throws {
        let fixture = try Self.fixture()
        defer { fixture.temporary.remove() }
        let release = try await fixture.release(GitOps())
        #expect(release.objects.map(\.reference) == [
            "Namespace/gitops", "CustomResourceDefinition/applications.argoproj.io", "ClusterRoleBinding/controller",
            "ServiceAccount/gitops/controller", "Deployment/gitops/server", "StatefulSet/gitops/controller",
        ])
        // The pinned bytes are sent untouched, after the overlay's own objects for it.
        #expect(release.body.hasSuffix("---\n" + Self.upstream))
        #expect(release.body.hasPrefix("apiVersion: v1\nkind: Namespace\n"))
        #expect(release.readiness == [
            .namespaceActive("gitops"),
            .conditionTrue(resource: "customresourcedefinition", name: "applications.argoproj.io", namespace: nil, condition: "Established"),
            .rolledOut(.statefulSet, name: "controller", namespace: "gitops"),
            .rolledOut(.deployment, name: "server", namespace: "gitops"),
        ])
        // The overlay's component is unchanged: its objects name their own namespace.
        #expect(try await fixture.release(Web()).objects.map(\.reference) == ["Service/apps/web"])
    }

    @Test("apply and label put the objects that name none into the pin's namespace (-n); the wait looks there")
    func appliedLabelledAndWaitedForThere() async throws {
        let fixture = try Self.fixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["apply"], answers: .output(stdout: "deployment.apps/server serverside-applied\n"))
        fixture.runner.on("kubectl", containing: ["label"], answers: .output(stdout: "deployment.apps/server labeled\n"))
        fixture.runner.on("kubectl", containing: ["get", "namespace"], answers: .output(stdout: "Active"))
        fixture.runner.on("kubectl", containing: ["wait"], answers: .output(stdout: "condition met\n"))
        fixture.runner.on("kubectl", containing: ["rollout"], answers: .output(stdout: "successfully rolled out\n"))
        let release = try await fixture.deployment.deploy(GitOps())
        try await fixture.deployment.waitUntilReady(release, timeout: .seconds(60))

        let calls = fixture.runner.calls.filter { !["kustomize"].contains($0.arguments.first ?? "") && $0.executable == "kubectl" }
        let apply = try #require(calls.first { $0.arguments.contains("apply") })
        #expect(apply.arguments == [
            "--context", "test-context", "apply", "--server-side", "--field-manager=provision", "-n", "gitops", "-f", "-",
        ])
        #expect(apply.standardInput == Data(release.body.utf8))
        let label = try #require(calls.first { $0.arguments.contains("label") })
        #expect(label.arguments == [
            "--context", "test-context", "label", "-n", "gitops", "-f", "-", "wrightnow/component=gitops", "--overwrite",
        ])
        #expect(label.standardInput == Data(release.body.utf8))
        #expect(fixture.runner.commandLines.filter { $0.contains(" rollout ") } == [
            "kubectl --context test-context rollout status statefulset/controller -n gitops --timeout=60s",
            "kubectl --context test-context rollout status deployment/server -n gitops --timeout=60s",
        ])
        #expect(fixture.runner.unmatched.isEmpty, "\(fixture.runner.unmatched)")
    }

    @Test("the survey diffs them in the pin's namespace, the rest of the stack without -n, and reads their drift there")
    func surveyed() async throws {
        let fixture = try Self.fixture()
        defer { fixture.temporary.remove() }
        // kubectl diff names each object's file after the namespace it was defaulted to.
        let drift = """
            diff -u -N /tmp/LIVE-1/apps.v1.Deployment.gitops.server /tmp/MERGED-2/apps.v1.Deployment.gitops.server
            --- /tmp/LIVE-1/apps.v1.Deployment.gitops.server
            +++ /tmp/MERGED-2/apps.v1.Deployment.gitops.server
            @@ -1,3 +1,3 @@
            -  replicas: 3
            +  replicas: 1

            """
        fixture.runner.on(where: { $0.arguments.contains("diff") && $0.arguments.containsRun(["-n", "gitops"]) },
                          answers: [.output(exit: 1, stdout: drift)])
        fixture.runner.on("kubectl", containing: ["diff"], answers: .output())
        fixture.runner.on("kubectl", containing: ["get"], answers: .output(stdout: #"{"kind":"List","items":[]}"#))
        let releases = [try await fixture.release(Web()), try await fixture.release(GitOps())]
        let surveys = try await fixture.deployment.survey(releases)

        let diffs = fixture.runner.calls.filter { $0.arguments.contains("diff") }
        #expect(diffs.map(\.description) == [
            "kubectl --context test-context diff --server-side --field-manager=provision --force-conflicts -f -",
            "kubectl --context test-context diff --server-side --field-manager=provision --force-conflicts -n gitops -f -",
        ])
        #expect(diffs[0].standardInput == Data(releases[0].body.utf8))
        #expect(diffs[1].standardInput == Data(releases[1].body.utf8))
        #expect(surveys["gitops"]?.drifted.map(\.reference) == ["Deployment/gitops/server"])
        #expect(surveys["gitops"]?.drifted.first?.fields == ["replicas"])
        #expect(surveys["web"]?.drifted.isEmpty == true)
        // Read where they run: not ready, each named in the pin's namespace.
        #expect(surveys["gitops"]?.notReady.contains("StatefulSet/gitops/controller is missing") == true)
    }

    @Test("before the namespace exists, its objects are missing and the cluster-scoped ones still diffed")
    func surveyedBeforeTheNamespaceExists() async throws {
        let fixture = try Self.fixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["diff"], answers:
            .output(exit: 2, stderr: "Error from server (NotFound): namespaces \"gitops\" not found\n"),
            .output(exit: 1, stdout: ""))
        fixture.runner.on("kubectl", containing: ["get", "namespaces", "-o", "name"], answers: .output(stdout: "namespace/default\n"))
        fixture.runner.on("kubectl", containing: ["get"], answers: .output(stdout: #"{"kind":"List","items":[]}"#))
        let surveys = try await fixture.deployment.survey([try await fixture.release(GitOps())])
        #expect(surveys["gitops"]?.missing == ["ServiceAccount/gitops/controller", "Deployment/gitops/server", "StatefulSet/gitops/controller"])
        let retried = try #require(fixture.runner.calls.filter { $0.arguments.contains("diff") }.last)
        #expect(retried.arguments.containsRun(["-n", "gitops"]))
        let sent = String(decoding: retried.standardInput ?? Data(), as: UTF8.self)
        #expect(sent.contains("kind: ClusterRoleBinding") && !sent.contains("kind: Deployment"))
    }

    @Test("remove deletes them by label in every namespace, keeping the namespace unless purging")
    func removed() async throws {
        let fixture = try Self.fixture()
        defer { fixture.temporary.remove() }
        fixture.runner.on("kubectl", containing: ["delete"], answers: .output(stdout: "deployment.apps \"server\" deleted\n"))
        let kept = try await fixture.deployment.remove(try await fixture.release(GitOps()), keepingData: true, timeout: .seconds(60))
        #expect(kept == "deleted 1 object; kept 1 namespace (--purge-data deletes them)")
        #expect(fixture.runner.commandLines.filter { $0.contains(" delete ") } == [
            "kubectl --context test-context delete CustomResourceDefinition,ClusterRoleBinding,ServiceAccount,Deployment,StatefulSet "
                + "-l wrightnow/component=gitops --all-namespaces --ignore-not-found --wait --timeout=60s",
        ])
    }
}
