import Foundation
import Kubernetes
import ProcessRunning
import ProvisionCore
import Testing

/// The deployment layer names no provider: where kubectl refuses or the published edge is
/// silent, the fix is the provider's remedy when it has one, else neutral advice.
@Suite("remedies come from the provider")
struct RemediesTests {
    static let refused = "The connection to the server 127.0.0.1:41234 was refused - did you specify the right host or port?"
    static let cause = CommandError(
        command: Command("kubectl", ["--context", "k3d-wrightnow", "get", "pods"]), reason: .exited(1),
        output: CommandOutput(exitStatus: 1, standardOutput: "", standardError: refused))

    @Test func withoutRemediesTheAdviceIsNeutral() throws {
        let refusal = try #require(KubectlRefusal.read(Self.refused))
        let problem = refusal.problem(context: "k3d-wrightnow", cause: Self.cause)
        #expect(problem.fix.contains("kubectl --context k3d-wrightnow get --raw /readyz"))
        #expect(!problem.fix.lowercased().contains("kind") && !problem.fix.contains("docker"))
        let missing = try #require(KubectlRefusal.read("error: context \"k3d-wrightnow\" does not exist"))
        #expect(missing.problem(context: "k3d-wrightnow", cause: Self.cause).fix
            == "`kubectl config get-contexts` lists the contexts there are")
    }

    @Test func theProvidersRemedyIsTheFix() throws {
        let remedies = ClusterRemedies(
            missingContext: "write it again with `k3d kubeconfig merge wrightnow`",
            unreachableAPIServer: "start it: `k3d cluster start wrightnow`")
        let refusal = try #require(KubectlRefusal.read(Self.refused))
        #expect(refusal.problem(context: "k3d-wrightnow", remedies: remedies, cause: Self.cause).fix
            == "start it: `k3d cluster start wrightnow`")
        let missing = try #require(KubectlRefusal.read("error: context \"k3d-wrightnow\" does not exist"))
        #expect(missing.problem(context: "k3d-wrightnow", remedies: remedies, cause: Self.cause).fix
            == "write it again with `k3d kubeconfig merge wrightnow`; `kubectl config get-contexts` lists the contexts there are")
        // Another context than the run's: the provider's remedy is not about it.
        let other = try #require(KubectlRefusal.read("error: context \"elsewhere\" does not exist"))
        #expect(!other.problem(context: "k3d-wrightnow", remedies: remedies, cause: Self.cause).fix.contains("k3d"))
    }
}
