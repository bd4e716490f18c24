import Foundation
import ProcessRunning
import Testing
@testable import ProvisionCore

/// One error vocabulary: every error the engine meets becomes a Problem with the right kind,
/// and keeps what failed underneath.
@Suite("Problem")
struct ProblemTests {
    @Test func aProblemStaysItself() {
        let problem = Problem(.preflight, problem: "docker is not running", fix: "start Docker")
        let converted = Problem(problem)
        #expect(converted.kind == .preflight)
        #expect(converted.description == "docker is not running\n  fix: start Docker")
    }

    @Test("a list of problems is headed in one line by its first problem and how many more")
    func headline() throws {
        let list = try #require(Problem.all([
            Problem(.preflight, problem: "kind is not installed", fix: "install kind"),
            Problem(.preflight, problem: "Docker is not running", fix: "start Docker"),
        ], kind: .preflight))
        #expect(Problem.headline(of: list.description) == "kind is not installed (+1 more)")
        let one = Problem(.preflight, problem: "Docker is not running", fix: "start Docker")
        #expect(Problem.headline(of: try #require(Problem.all([one], kind: .preflight)).description) == "Docker is not running")
        #expect(Problem.headline(of: "2 problems in the wiring\nnot a list") == "2 problems in the wiring")
    }

    @Test func planAndStoreErrorsKnowTheirKind() {
        let unknown = Problem(PlanError.unknownSelection("mysql", known: ["redis"]))
        #expect(unknown.kind == .usage)
        #expect(unknown.problem == "unknown component `mysql`")
        #expect(unknown.fix == "choose one of: redis")
        #expect(Problem(StoreError.notFound("run #3")).kind == .usage)
        #expect(Problem(StoreError.unreadable(path: "/x", reason: "not a database")).kind == .stateStore)
        #expect(Problem(StoreError.cannotOpen(path: "/x", reason: "denied")).fix.contains("PROVISION_STATE_DIR"))
    }

    @Test func aCommandFailureIsTheCauseAndPrintsAfterTheFix() {
        let command = Command("kubectl", ["--context", "kind-wrightnow", "get", "pods"])
        let failure = CommandError(
            command: command, reason: .exited(1),
            output: CommandOutput(exitStatus: 1, standardOutput: "", standardError: "connection refused"))
        let problem = Problem(failure)
        #expect(problem.kind == .stepFailed)
        #expect(problem.problem == "`kubectl` failed")
        let text = problem.description
        #expect(text.contains("kubectl --context kind-wrightnow get pods"))
        #expect(text.contains("connection refused"))
        #expect(text.range(of: "fix:")!.lowerBound < text.range(of: "connection refused")!.lowerBound)
    }

    @Test func reportedAsAndPrefixedKeepTheRest() {
        let problem = Problem(problem: "did not become ready", fix: "look at its pods")
        #expect(problem.reported(as: .preflight).kind == .preflight)
        #expect(problem.reported(as: .preflight).fix == "look at its pods")
        #expect(problem.prefixed("deploying `redis` failed: ").problem == "deploying `redis` failed: did not become ready")
    }
}
