import Foundation
import ProvisionCore
import Synchronization
import Testing
import TestSupport
@testable import ProvisionCLI

/// What a person sees while a run goes: plain lines in a pipe, a live view on a terminal.
@Suite("progress output", .serialized)
struct ProgressOutputTests {
    /// A console that records, on a terminal or not.
    final class Recorder: Sendable {
        let text = Mutex("")
        func console(terminal: Bool) -> Console {
            Console(
                writeOut: { line in self.text.withLock { $0 += line } }, writeError: { _ in },
                standardInputIsTerminal: false, readAnswer: { nil }, standardOutputIsTerminal: terminal)
        }
        var output: String { text.withLock { $0 } }
    }

    @Test("summaries are cut between words, with an ellipsis")
    func summariesCutBetweenWords() {
        let text = "deploying `authentik` failed: authentik: Deployment authentik-server in staging-infra did not become ready"
        let cut = Format.summary(text, limit: 60)
        #expect(cut == "deploying `authentik` failed: authentik: Deployment …", "\(cut)")
        #expect(cut.count <= 60)
        #expect(Format.summary("short enough", limit: 60) == "short enough")
        let oneWord = String(repeating: "x", count: 80)
        #expect(Format.summary(oneWord, limit: 20) == String(repeating: "x", count: 19) + "…")
    }

    @Test("not on a terminal: plain lines, skipped steps on one line, no escape sequences")
    func plainLines() {
        let recorder = Recorder()
        let printer = ProgressPrinter(console: recorder.console(terminal: false), environment: [:])
        printer.handle(.stepStarted(StepLabel(.preflight)))
        printer.handle(.stepFinished(StepLabel(.preflight), .failed, duration: .milliseconds(12), detail: "Docker is not running"))
        for id: ComponentID in ["namespaces", "storage", "redis"] {
            printer.handle(.stepFinished(StepLabel(.deploy, id), .skipped, duration: nil, detail: "not started because an earlier step failed"))
        }
        printer.handle(.runFinished(RunID(1), .failed))
        printer.finish()
        let lines = recorder.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(lines)")
        #expect(lines[0].hasSuffix("start    preflight"))
        #expect(lines[1].hasSuffix("FAILED   preflight (12ms)"), "the error itself is printed once, at the end: \(lines[1])")
        #expect(lines[2].hasSuffix("skipped  3 steps (deploy namespaces, deploy storage, deploy redis): not started because an earlier step failed"))
        #expect(lines[3].hasSuffix("run #1 failed"))
        #expect(!recorder.output.contains("\u{1B}"))
    }

    @Test("on a terminal: a live block of running steps with elapsed times, finished steps in colour above it")
    func liveView() async throws {
        let recorder = Recorder()
        let printer = ProgressPrinter(console: recorder.console(terminal: true), environment: [:])
        printer.handle(.stepStarted(StepLabel(.deploy, "redis")))
        printer.handle(.stepStarted(StepLabel(.deploy, "postgres-pgvector")))
        try await Task.sleep(for: .milliseconds(1300))  // one redraw of the ticker
        printer.handle(.stepFinished(StepLabel(.deploy, "redis"), .succeeded, duration: .seconds(2), detail: nil))
        printer.handle(.stepFinished(StepLabel(.deploy, "postgres-pgvector"), .failed, duration: .seconds(3), detail: "x"))
        printer.finish()
        let output = recorder.output
        #expect(output.contains("\u{1B}[36m⠿\u{1B}[0m deploy redis              running"), "\(output)")
        // A redraw by the ticker shows the time in seconds (how many depends on the machine's load).
        #expect(output.contains(/⠿\u{1B}\[0m deploy postgres-pgvector  running \d+\.\ds/), "the elapsed time after a redraw: \(output)")
        #expect(output.contains("\u{1B}[32mdone\u{1B}[0m     deploy redis (2.0s)"), "\(output)")
        #expect(output.contains("\u{1B}[31mFAILED\u{1B}[0m   deploy postgres-pgvector (3.0s)"), "\(output)")
        #expect(output.contains("\u{1B}[2A\r\u{1B}[J"), "the block of two lines is erased before it is redrawn")
        #expect(!output.contains("start    deploy"), "no start lines: the block shows what runs")
        // Once finished, the block is gone: the last thing written erases it.
        #expect(output.hasSuffix("\u{1B}[1A\r\u{1B}[J") || output.hasSuffix("(3.0s)\n"), "\(output.suffix(80).debugDescription)")
    }

    @Test("preparing the components, between steps: a line in a pipe, an entry of the live block on a terminal")
    func preparing() {
        let piped = Recorder()
        let plain = ProgressPrinter(console: piped.console(terminal: false), environment: [:])
        plain.handle(.preparing(components: 9))
        plain.handle(.prepared)
        plain.finish()
        let lines = piped.output.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasSuffix("] prepare  9 components: render the overlay, fetch pinned manifests not cached"),
                "\(piped.output.debugDescription)")

        let terminal = Recorder()
        let live = ProgressPrinter(console: terminal.console(terminal: true), environment: ["NO_COLOR": "1"])
        live.handle(.preparing(components: 9))
        live.handle(.stepStarted(StepLabel(.startCaches)))
        live.handle(.prepared)
        live.handle(.stepFinished(StepLabel(.startCaches), .succeeded, duration: .seconds(1), detail: nil))
        live.finish()
        #expect(terminal.output.contains("⠿ \(ProgressPrinter.preparing)"), "\(terminal.output.debugDescription)")
        #expect(!terminal.output.contains("prepare  9"), "no line on a terminal: the block shows it")
    }

    @Test("NO_COLOR: the live view without colour codes")
    func noColour() {
        let recorder = Recorder()
        let printer = ProgressPrinter(console: recorder.console(terminal: true), environment: ["NO_COLOR": "1"])
        printer.handle(.stepStarted(StepLabel(.deploy, "redis")))
        printer.handle(.stepFinished(StepLabel(.deploy, "redis"), .succeeded, duration: .seconds(2), detail: nil))
        printer.finish()
        #expect(recorder.output.contains("done     deploy redis (2.0s)"), "\(recorder.output)")
        #expect(!recorder.output.contains("\u{1B}[3"), "no colour: \(recorder.output.debugDescription)")
        #expect(recorder.output.contains("⠿ deploy redis"))
    }

    @Test("the built binary on a pseudo-terminal draws the live view; in a pipe it prints plain lines")
    func binaryOnATerminal() async throws {
        let world = try FakeWorld(environment: ["FAKE_SLOW": "*rollout status*", "FAKE_SLOW_SECONDS": "1.5"])
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux `script` is needed for a pty")
        let binary = try #require(BuildProducts.provision)
        var environment = world.environment
        environment.removeValue(forKey: "NO_COLOR")
        let onTerminal = try await ChildProcess.run(
            [script, "-qec", "\(binary.path) up --only redis", "/dev/null"],
            environment: environment, workingDirectory: world.repository, limit: 90)
        #expect(onTerminal.exitCode == 0, "\(onTerminal)")
        #expect(onTerminal.standardOutput.contains("⠿\u{1B}[0m deploy redis  running"), "\(onTerminal)")
        #expect(onTerminal.standardOutput.contains("\u{1B}[1A\r\u{1B}[J"), "the block is redrawn in place")
        #expect(onTerminal.standardOutput.contains("\u{1B}[32mdone\u{1B}[0m"), "in colour: \(onTerminal)")
        let inPipe = try await world.provision("up", "--only", "redis")
        #expect(inPipe.exitCode == 0)
        #expect(!inPipe.standardOutput.contains("\u{1B}"), "\(inPipe)")
        #expect(inPipe.standardOutput.contains("start    deploy redis"))
    }
}
