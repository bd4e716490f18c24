import Backends
import Foundation
import ProvisionCore
import Testing
import TestSupport

/// The `existing` provider through a scripted runner answering as kubectl does.
@Suite("existing cluster provider")
struct ExistingClusterProviderTests {
    static let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: URL(filePath: "/repo/k8s"), overlay: "cluster")

    /// `kubectl config get-contexts -o name`: one name per line
    /// (kubectl pkg/cmd/config/get_contexts.go, the nameOnly branch).
    static let contexts = ScriptedRunner.Answer.output(stdout: "kind-wrightnow\nteam-staging\n")

    /// `kubectl version -o json` (kubectl pkg/cmd/version/version.go marshals clientVersion,
    /// kustomizeVersion and serverVersion with two-space indentation).
    static func versionJSON(client: String, server: String) -> ScriptedRunner.Answer {
        .output(stdout: """
            {
              "clientVersion": {
                "major": "1",
                "minor": "\(client.split(separator: ".")[1])",
                "gitVersion": "\(client)",
                "platform": "linux/amd64"
              },
              "kustomizeVersion": "v5.8.1",
              "serverVersion": {
                "major": "1",
                "minor": "\(server.split(separator: ".")[1])",
                "gitVersion": "\(server)",
                "platform": "linux/amd64"
              }
            }

            """)
    }

    static func provider(_ runner: ScriptedRunner, context: String = "team-staging") -> ExistingClusterProvider {
        ExistingClusterProvider(context: context, runner: runner)
    }

    @Test func aReachableClusterPassesWithItsVersionsAndEveryCallNamesTheContext() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", "config", "get-contexts", answers: Self.contexts)
        // The API server's /readyz handler answers "ok" (k8s.io/apiserver pkg/server/healthz).
        runner.on("kubectl", containing: ["get", "--raw", "/readyz"], answers: .output(stdout: "ok"))
        runner.on("kubectl", containing: ["version", "-o", "json"], answers: Self.versionJSON(client: "v1.37.1", server: "v1.36.2"))
        runner.on("kubectl", containing: ["config", "view", "--minify"], answers: .output(stdout: "https://203.0.113.7:6443"))

        let provider = Self.provider(runner)
        let report = try await provider.preflight(Self.cluster, creatingCluster: false)
        #expect(report.toolVersions.map(\.description) == ["kubectl v1.37.1", "server v1.36.2"])
        #expect(report.warnings.isEmpty)
        #expect(try await provider.ensureCluster(Self.cluster, exists: true) == .reused)
        #expect(await provider.target(for: Self.cluster) == ClusterTarget(context: "team-staging", server: "https://203.0.113.7:6443"))
        #expect(!provider.ownsCluster)
        #expect(provider.kubeContext(for: Self.cluster) == "team-staging")
        // Only `config get-contexts` reads the kubeconfig alone; every call to the cluster names the context.
        for call in runner.calls where !call.arguments.starts(with: ["config", "get-contexts"]) {
            #expect(call.arguments.starts(with: ["--context", "team-staging"]), "\(call)")
        }
        #expect(runner.calls.allSatisfy { $0.executable == "kubectl" })
        #expect(runner.unmatched.isEmpty)
    }

    @Test func aContextThatDoesNotExistIsAPreflightProblemListingTheOthers() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", "config", "get-contexts", answers: Self.contexts)
        let provider = Self.provider(runner, context: "prod")
        await #expect {
            try await provider.preflight(Self.cluster, creatingCluster: true)
        } throws: { error in
            let problem = error as? Problem
            return problem?.kind == .preflight && problem?.problem == "the kubeconfig has no context `prod`"
                && problem?.fix.contains("kind-wrightnow, team-staging") == true
        }
        #expect(!runner.commandLines.contains { $0.contains("/readyz") })
    }

    @Test func anAPIServerThatDoesNotAnswerIsAPreflightProblemWithKubectlsWords() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", "config", "get-contexts", answers: Self.contexts)
        // kubectl's StandardErrorMessage (k8s.io/kubectl pkg/cmd/util/helpers.go) for a refused
        // connection, on stderr, exit 1.
        runner.on("kubectl", containing: ["/readyz"], answers: .output(
            exit: 1, stderr: "The connection to the server 203.0.113.7:6443 was refused - did you specify the right host or port?\n"))
        await #expect {
            try await Self.provider(runner).preflight(Self.cluster, creatingCluster: false)
        } throws: { error in
            let problem = error as? Problem
            return problem?.kind == .preflight && problem?.problem == "the API server of context `team-staging` does not answer"
                && "\(error)".contains("was refused - did you specify the right host or port?")
        }
    }

    @Test func aClientMoreThanOneMinorVersionAwayIsAWarning() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", "config", "get-contexts", answers: Self.contexts)
        runner.on("kubectl", containing: ["/readyz"], answers: .output(stdout: "ok"))
        runner.on("kubectl", containing: ["version"], answers: Self.versionJSON(client: "v1.37.1", server: "v1.34.4"))
        let report = try await Self.provider(runner).preflight(Self.cluster, creatingCluster: false)
        #expect(report.warnings.map(\.problem) == [
            "kubectl v1.37.1 is 3 minor versions away from the API server (v1.34.4); kubectl supports one minor version either side",
        ])
    }

    @Test func itNeverDeletesTheCluster() async throws {
        let runner = ScriptedRunner()
        await #expect {
            try await Self.provider(runner).deleteCluster(Self.cluster)
        } throws: { ($0 as? Problem)?.problem.contains("does not delete clusters it did not create") == true }
        #expect(runner.calls.isEmpty)
    }

    @Test func theCurrentContextIsReadOrItsAbsenceExplained() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", "config", "current-context", answers: .output(stdout: "team-staging\n"),
                  .output(exit: 1, stderr: "error: current-context is not set\n"))
        let contexts = KubeconfigContexts(runner: runner)
        #expect(try await contexts.requireCurrent(backend: "existing") == "team-staging")
        await #expect {
            try await contexts.requireCurrent(backend: "existing")
        } throws: { ($0 as? Problem)?.fix.contains("--backend existing --context NAME") == true }
    }
}
