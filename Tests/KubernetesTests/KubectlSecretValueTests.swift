import Foundation
import Kubernetes
import ProcessRunning
import Testing
import TestSupport

/// `Kubectl.secretValue`: one key of a Secret some software wrote in the cluster, read only when
/// asked (`up --show-secrets`), whose value must reach nothing but its caller.
@Suite("reading one key of a Secret")
struct KubectlSecretValueTests {
    static let command = ["--context", "kind-test", "get", "secret", "admin", "-n", "tools", "-o", "jsonpath={.data.password}"]

    @Test func theValueIsDecoded() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", prefix: Self.command, answers: [.output(stdout: Data("s3cret-Value".utf8).base64EncodedString())])
        let kubectl = Kubectl(runner: runner, context: "kind-test")
        #expect(try await kubectl.secretValue(name: "admin", namespace: "tools", key: "password") == "s3cret-Value")
        #expect(runner.calls.map(\.arguments) == [Self.command])
    }

    @Test("a missing Secret, or a Secret without the key (jsonpath prints nothing), is nil")
    func missing() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", prefix: Self.command, answers: [
            .output(exit: 1, stderr: "Error from server (NotFound): secrets \"admin\" not found\n"), .output(stdout: ""),
        ])
        let kubectl = Kubectl(runner: runner, context: "kind-test")
        #expect(try await kubectl.secretValue(name: "admin", namespace: "tools", key: "password") == nil)
        #expect(try await kubectl.secretValue(name: "admin", namespace: "tools", key: "password") == nil)
    }

    @Test("a failed read's error carries kubectl's message, never what it printed on standard output")
    func failureHoldsNoValue() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", prefix: Self.command, answers: [.output(
            exit: 1, stdout: "czNjcmV0LVZhbHVl",
            stderr: "Error from server (Forbidden): secrets \"admin\" is forbidden\n")])
        let kubectl = Kubectl(runner: runner, context: "kind-test")
        do {
            _ = try await kubectl.secretValue(name: "admin", namespace: "tools", key: "password")
            Issue.record("a refused read returned")
        } catch let error as CommandError {
            #expect(error.output?.standardOutput == "")
            #expect(!"\(error)".contains("czNjcmV0LVZhbHVl") && "\(error)".contains("(Forbidden)"), "\(error)")
        }
    }
}
