import Components
import Foundation
import ProvisionCore
@testable import ProvisionCLI
import Testing
import TestSupport

/// The optional `argocd` component end to end against the fake tools: Argo CD's pinned install
/// manifest names no namespace, so everything `provision` does with it happens in `argocd`.
@Suite("the optional argocd component")
struct ArgoCDComponentTests {
    static let url = "https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml"
    static let workloads = [
        "statefulset/argocd-application-controller", "deployment/argocd-applicationset-controller",
        "deployment/argocd-dex-server", "deployment/argocd-notifications-controller", "deployment/argocd-redis",
        "deployment/argocd-repo-server", "deployment/argocd-server",
    ]

    @Test("up --with argocd deploys it into argocd, waits for its CRDs and workloads there, and says how to read the password")
    func upWithArgoCD() async throws {
        let world = try FakeWorld()
        let up = try await world.run("up", "--with", "argocd")
        #expect(up.exitCode == 0, "\(up)")
        let calls = world.calls
        #expect(calls.contains("curl -fsSL --retry 3 --max-time 120 \(Self.url)"))
        // Its namespace and the pinned objects in one apply, namespaced objects into argocd.
        #expect(calls.contains("kubectl --context kind-wrightnow apply --server-side --field-manager=provision -n argocd -f -"))
        #expect(calls.contains("kubectl --context kind-wrightnow label -n argocd -f - wrightnow/component=argocd --overwrite"))
        let events = world.events
        let namespace = try #require(events.firstIndex(of: "applied Namespace/argocd"), "\(events)")
        let server = try #require(events.firstIndex(of: "applied Deployment/argocd-server"), "\(events)")
        #expect(namespace < server)
        for crd in ["applications", "applicationsets", "appprojects"] {
            #expect(events.contains("ready customresourcedefinition/\(crd).argoproj.io"), "\(events)")
        }
        for workload in Self.workloads {
            #expect(calls.contains { $0.contains("rollout status \(workload) -n argocd ") }, "\(workload): \(calls)")
        }
        // The objects are where the cluster keeps them: in namespace argocd.
        let objects = world.fakeState.appending(path: "objects/wrightnow/argocd")
        for path in ["Deployment/argocd-server", "StatefulSet/argocd-application-controller", "ConfigMap/argocd-cm"] {
            #expect(FileManager.default.fileExists(atPath: objects.appending(path: path).path), "\(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: world.fakeState.appending(path: "objects/wrightnow/default/Deployment").path))
        // The summary names the Secret argocd-server makes and how to read it; never a value.
        let out = up.standardOutput
        #expect(out.contains("argocd:"), "\(out)")
        #expect(out.contains("log in as:           admin"), "\(out)")
        #expect(out.contains(
            "password:            password of Secret argocd/argocd-initial-admin-secret: "
                + "kubectl --context kind-wrightnow get secret argocd-initial-admin-secret -n argocd -o 'jsonpath={.data.password}' | base64 -d"),
            "\(out)")
        let recorded = try await world.lastRun()
        let step = try #require(recorded.steps.first { $0.component == "argocd" })
        #expect(step.state == .succeeded)
        // Images from quay.io, ghcr.io and public.ecr.aws, each warmed up through its mirror.
        let pulled = Set(recorded.steps.filter { $0.action == .pull }.compactMap(\.subject))
        for image in ["quay.io/argoproj/argocd:v3.5.1", "ghcr.io/dexidp/dex:v2.45.0", "public.ecr.aws/docker/library/redis:8.2.3-alpine"] {
            #expect(pulled.contains(image), "\(pulled)")
        }
    }

    static let readPassword =
        "kubectl --context kind-wrightnow get secret argocd-initial-admin-secret -n argocd -o jsonpath={.data.password}"

    /// The admin password argocd-server wrote into the fake cluster at its first start.
    static func password(in world: FakeWorld) throws -> String {
        let file = world.fakeState.appending(path: "objects/wrightnow/argocd/Secret/argocd-initial-admin-secret")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        let encoded = try #require((object?["data"] as? [String: String])?["password"])
        return String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
    }

    @Test("--show-secrets reads and shows the admin password; without it the Secret is never read, and it is kept nowhere")
    func showSecrets() async throws {
        let world = try FakeWorld()
        let up = try await world.run("up", "--only", "argocd")
        #expect(up.exitCode == 0, "\(up)")
        let password = try Self.password(in: world)
        #expect(password.count == 16)
        #expect(!world.calls.contains { $0.contains("get secret argocd-initial-admin-secret") }, "\(world.calls)")
        #expect(!up.standardOutput.contains(password) && !up.standardError.contains(password))
        #expect(up.standardOutput.contains("(or run `provision up --show-secrets`)"), "\(up)")

        try world.clearCalls()
        let shown = try await world.run("up", "--only", "argocd", "--show-secrets")
        #expect(shown.exitCode == 0, "\(shown)")
        #expect(world.calls.filter { $0.contains("get secret argocd-initial-admin-secret") } == [Self.readPassword])
        let out = shown.standardOutput
        #expect(out.contains("Secrets (shown because of --show-secrets):\n  argocd/argocd-initial-admin-secret:\n    password=\(password)\n"), "\(out)")
        // Once, in the summary: not in a progress line, not on standard error.
        #expect(out.components(separatedBy: password).count == 2, "\(out)")
        #expect(!shown.standardError.contains(password))
        // Not in the history: neither the recorded runs nor any file of the state directory.
        let runs = try await world.historyRuns()
        for run in runs {
            let detail = try await world.run("history", "\(run.id.rawValue)")
            #expect(!detail.standardOutput.contains(password) && !detail.standardError.contains(password))
        }
        let files = try #require(FileManager.default.enumerator(at: world.stateDirectory, includingPropertiesForKeys: nil))
        for case let file as URL in files where !file.hasDirectoryPath {
            let bytes = try Data(contentsOf: file)
            #expect(bytes.range(of: Data(password.utf8)) == nil, "\(file.path)")
        }
    }

    @Test("--show-secrets without the Secret (deleted after a password change) says how to read it later; up still succeeds")
    func showSecretsWithoutTheSecret() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "argocd").exitCode == 0)
        try FileManager.default.removeItem(
            at: world.fakeState.appending(path: "objects/wrightnow/argocd/Secret/argocd-initial-admin-secret"))
        let shown = try await world.run("up", "--only", "argocd", "--show-secrets")
        #expect(shown.exitCode == 0, "\(shown)")
        #expect(world.calls.contains(Self.readPassword))
        #expect(shown.standardOutput.contains("""
              argocd/argocd-initial-admin-secret:
                password: not in the cluster (not written yet, or deleted); read it later with:
                  kubectl --context kind-wrightnow get secret argocd-initial-admin-secret -n argocd \
            -o 'jsonpath={.data.password}' | base64 -d

            """), "\(shown)")
        #expect(try await world.lastRun().run.outcome == .succeeded)
    }

    @Test("without --with argocd nothing of it is downloaded or applied")
    func notByDefault() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        #expect(!world.calls.contains { $0.contains("argo") })
        #expect(!world.events.contains { $0.contains("argocd") })
    }

    @Test("status reads it in argocd: in sync after up, then a change by hand there is drift")
    func statusInItsNamespace() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "argocd").exitCode == 0)
        let clean = try await world.run("status", "--only", "argocd", "--exit-code")
        #expect(clean.exitCode == 0, "\(clean)")
        #expect(world.calls.contains(
            "kubectl --context kind-wrightnow diff --server-side --field-manager=provision --force-conflicts -n argocd -f -"))

        let drift = world.fakeState.appending(path: "drift/wrightnow/argocd/Deployment")
        try FileManager.default.createDirectory(at: drift, withIntermediateDirectories: true)
        try "-  replicas: 3\n+  replicas: 1\n".write(to: drift.appending(path: "argocd-server"), atomically: true, encoding: .utf8)
        let gate = try await world.run("status", "--only", "argocd", "--exit-code")
        #expect(gate.exitCode == ProvisionExit.drifted.rawValue, "\(gate)")
        #expect(gate.standardOutput.split(separator: "\n").contains {
            $0.hasPrefix("argocd ") && $0.hasSuffix("changed Deployment/argocd/argocd-server: replicas")
        }, "\(gate)")
    }

    @Test("down --backend existing removes its objects by label, keeping the namespace unless purging")
    func downRemovesIt() async throws {
        let world = try FakeWorld()
        try world.addCluster("team-staging", context: "team-staging")
        let up = try await world.run("up", "--backend", "existing", "--context", "team-staging", "--overlay", "cluster", "--only", "argocd")
        #expect(up.exitCode == 0, "\(up)")
        let down = try await world.run("down", "--backend", "existing", "--context", "team-staging", "--overlay", "cluster")
        #expect(down.exitCode == 0, "\(down)")
        #expect(world.calls.contains { $0.hasPrefix("kubectl --context team-staging delete CustomResourceDefinition,") && $0.contains("-l wrightnow/component=argocd --all-namespaces") })
        let events = world.events
        for object in ["Deployment/argocd-server", "StatefulSet/argocd-application-controller", "CustomResourceDefinition/applications.argoproj.io"] {
            #expect(events.contains("deleted \(object)"), "\(events)")
        }
        #expect(!events.contains("deleted Namespace/argocd"))
        let step = try #require(try await world.lastRun().steps.first { $0.component == "argocd" })
        #expect(step.state == .succeeded && step.note?.contains("kept 1 namespace") == true, "\(step)")
    }
}
