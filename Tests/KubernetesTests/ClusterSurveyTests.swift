import Foundation
import ProcessRunning
import ProvisionCore
import Testing
import TestSupport
@testable import Kubernetes

/// The survey's `kubectl diff` on a cluster that lacks some of the stack's namespaces.
@Suite("the survey's diff")
struct ClusterSurveyTests {
    static let objects = try! ManifestDocument.parseStream("""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: apps
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: db
          namespace: apps
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: edge
        """)

    /// The real kubectl's answer to a dry run into a namespace that does not exist: the walk
    /// stops there, nothing on stdout, exit 2 (the fake kubectl cites the sources).
    static let namespaceMissing = ScriptedRunner.Answer.output(
        exit: 2, stderr: "Error from server (NotFound): namespaces \"apps\" not found\n")

    static let newNamespace = """
        diff -u -N /tmp/LIVE-1/v1.Namespace..apps /tmp/MERGED-2/v1.Namespace..apps
        --- /tmp/LIVE-1/v1.Namespace..apps
        +++ /tmp/MERGED-2/v1.Namespace..apps
        @@ -0,0 +1,3 @@
        +kind: Namespace

        """

    static func kubectl(_ runner: ScriptedRunner) -> Kubectl { Kubectl(runner: runner, context: "test-context") }

    @Test("objects in a namespace the cluster lacks are missing; the others are diffed without them")
    func missingNamespaceObjectsAreSetAside() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", containing: ["diff"], answers: Self.namespaceMissing, .output(exit: 1, stdout: Self.newNamespace))
        runner.on("kubectl", containing: ["get", "namespaces", "-o", "name"],
                  answers: .output(stdout: "namespace/default\nnamespace/edge\nnamespace/kube-system\n"))
        let look = try await Self.kubectl(runner).serverSideDiff(of: Self.objects)
        #expect(look.inMissingNamespaces.map(\.reference) == ["Service/apps/db"])
        #expect(look.sections.map(\.file) == ["v1.Namespace..apps"])
        let diffs = runner.calls.filter { $0.arguments.contains("diff") }
        #expect(diffs.count == 2)
        let second = String(decoding: diffs.last?.standardInput ?? Data(), as: UTF8.self)
        #expect(second.contains("name: apps") && second.contains("name: web") && !second.contains("name: db"))
    }

    @Test("a diff error that no missing namespace explains is thrown")
    func otherDiffErrorsAreThrown() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", containing: ["diff"], answers: Self.namespaceMissing)
        // The namespace exists after all (created meanwhile): nothing to set aside.
        runner.on("kubectl", containing: ["get", "namespaces", "-o", "name"],
                  answers: .output(stdout: "namespace/apps\nnamespace/edge\n"))
        await #expect(throws: CommandError.self) { try await Self.kubectl(runner).serverSideDiff(of: Self.objects) }

        let refused = ScriptedRunner()
        refused.on("kubectl", containing: ["diff"], answers: .output(
            exit: 2, stderr: "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n"))
        await #expect(throws: CommandError.self) { try await Self.kubectl(refused).serverSideDiff(of: Self.objects) }
        #expect(refused.calls.count == 1)
    }
}
