import Foundation
import ProvisionCore
import Synchronization

/// Turns the deployer's progress events into what a person follows while a run takes minutes.
///
/// Not on a terminal (a pipe, a CI log): plain lines, one when a step starts, one when it ends
/// (with its duration), a "still waiting" line every notice interval, and one line for all the
/// steps skipped for the same reason. On a terminal: the same finished lines (in colour unless
/// `NO_COLOR` is set), under a live block of the running steps with their elapsed times,
/// redrawn every second, as `docker compose up` shows its services. The block is drawn by
/// ``LiveBlock``, a pure function of the running steps, so it is tested without a terminal.
final class ProgressPrinter: Sendable {
    private let started = ContinuousClock.now
    private let console: Console
    private let live: Bool
    private let colour: Bool
    private let state = Mutex(State())
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    private struct State {
        /// Running steps and when each started, in start order.
        var running: [(label: String, since: ContinuousClock.Instant)] = []
        /// Lines of the live block now on screen.
        var drawn = 0
        /// Skipped steps not printed yet, and why they were skipped.
        var skipped: [String] = []
        var skippedReason = ""
    }

    init(console: Console, environment: [String: String] = [:]) {
        self.console = console
        live = console.standardOutputIsTerminal
        // https://no-color.org: present and not empty.
        colour = live && (environment["NO_COLOR"] ?? "").isEmpty
        if live {
            let task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    self?.redraw()
                }
            }
            ticker.withLock { $0 = task }
        }
    }

    /// How the live block names the preparation of the components.
    static let preparing = "prepare components"

    /// Prints `event`; called by the deployer, possibly from several tasks.
    func handle(_ event: ProgressEvent) {
        switch event {
        case .recoveredAbandonedRun(let run):
            console.error(
                "note: run \(run.id) (pid \(run.pid)) ended without finishing; it is now recorded as interrupted")
        case .runStarted(let run, let backend, let cluster):
            emit("run \(run) started: backend \(backend), cluster \(cluster)")
        case .stepStarted(let label):
            emit(live ? nil : "start    \(label)", starting: label.description)
        case .preparing(let count):
            // Not a step: the seconds between steps in which the overlay is rendered and, on a
            // first run, the pinned manifests are downloaded.
            emit(live ? nil : "prepare  \(count) components: render the overlay, fetch pinned manifests not cached",
                 starting: Self.preparing)
        case .prepared:
            emit(nil, finishing: Self.preparing)
        case .stepFinished(let label, let state, let duration, let detail):
            if state == .skipped {
                collectSkipped(label.description, reason: detail ?? "")
                return
            }
            let took = duration.map { " (\(Format.duration($0)))" } ?? ""
            var text = "\(paint(Self.word(for: state), for: state)) \(label)\(took)"
            // A failure's reason is printed once, in full, as the error at the end.
            if state != .failed, let detail, !detail.isEmpty {
                text += ": " + Format.summary(detail, limit: Self.detailLimit)
            }
            emit(text, finishing: label.description)
        case .warning(let warning):
            clearBlock()
            console.error("warning: \(warning.problem)\n  fix: \(warning.fix)")
            redraw()
        case .stillRunning(let label, let elapsed):
            // The live block shows the elapsed time already.
            if !live { emit("still waiting for \(label) (\(Int(elapsed.components.seconds))s)") }
        case .runFinished(let run, let outcome):
            emit("run \(run) \(outcome)")
        }
    }

    /// Stops redrawing and removes the live block; prints what is still held back.
    func finish() {
        ticker.withLock { $0?.cancel(); $0 = nil }
        emit(nil)
        clearBlock()
        state.withLock { $0.running = [] }
    }

    // MARK: Lines

    private func collectSkipped(_ label: String, reason: String) {
        let flush: (labels: [String], reason: String)? = state.withLock { state in
            defer {
                state.skipped.append(label)
                state.skippedReason = reason
            }
            guard !state.skipped.isEmpty, state.skippedReason != reason else { return nil }
            let held = (state.skipped, state.skippedReason)
            state.skipped = []
            return held
        }
        if let flush { print(skippedLine(flush.labels, reason: flush.reason)) }
    }

    private func skippedLine(_ labels: [String], reason: String) -> String {
        let what = labels.count == 1 ? labels[0] : "\(labels.count) steps (\(labels.joined(separator: ", ")))"
        return "\(paint(Self.word(for: .skipped), for: .skipped)) \(what)"
            + (reason.isEmpty ? "" : ": " + Format.summary(reason, limit: Self.detailLimit))
    }

    /// Prints `text` (if any) after the skipped steps held back, keeping the live block below.
    private func emit(_ text: String?, starting: String? = nil, finishing: String? = nil) {
        let held: (labels: [String], reason: String)? = state.withLock { state in
            if let starting { state.running.append((starting, .now)) }
            if let finishing { state.running.removeAll { $0.label == finishing } }
            guard !state.skipped.isEmpty, text != nil || starting == nil else { return nil }
            let held = (state.skipped, state.skippedReason)
            state.skipped = []
            return held
        }
        var lines: [String] = []
        if let held { lines.append(stamped(skippedLine(held.labels, reason: held.reason))) }
        if let text { lines.append(stamped(text)) }
        guard !lines.isEmpty || live else { return }
        if live {
            draw(above: lines)
        } else {
            for line in lines { console.out(line) }
        }
    }

    private func print(_ text: String) {
        if live { draw(above: [stamped(text)]) } else { console.out(stamped(text)) }
    }

    private func stamped(_ text: String) -> String {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return String(format: "[%6.1fs] ", seconds) + text
    }

    private func paint(_ word: String, for state: StepState) -> String {
        let padded = word.padding(toLength: 8, withPad: " ", startingAt: 0)
        guard colour, let code = LiveBlock.colourCode(for: state) else { return padded }
        return "\u{1B}[\(code)m\(word)\u{1B}[0m" + String(repeating: " ", count: max(0, 8 - word.count))
    }

    // MARK: The live block (terminal only)

    /// Erases the block, prints `lines` where it was, draws the block again below them: one write.
    private func draw(above lines: [String]) {
        let text: String = state.withLock { state in
            var text = LiveBlock.erase(lines: state.drawn)
            for line in lines { text += line + "\n" }
            let block = LiveBlock.render(
                running: state.running.map { ($0.label, ContinuousClock.now - $0.since) }, colour: colour)
            state.drawn = block.count
            for line in block { text += line + "\n" }
            return text
        }
        console.writeOut(text)
    }

    private func redraw() {
        guard live else { return }
        draw(above: [])
    }

    private func clearBlock() {
        guard live else { return }
        let text: String = state.withLock { state in
            defer { state.drawn = 0 }
            return LiveBlock.erase(lines: state.drawn)
        }
        if !text.isEmpty { console.writeOut(text) }
    }

    /// The longest note a step's line shows; a longer one ends in "…".
    static let detailLimit = 100

    static func word(for state: StepState) -> String {
        switch state {
        case .succeeded: "done"
        case .failed: "FAILED"
        case .skipped: "skipped"
        case .interrupted: "stopped"
        case .pending: "pending"
        case .running: "running"
        }
    }
}

/// The live block of running steps, as text: one line per step with its elapsed time.
enum LiveBlock {
    /// `  ⠿ deploy authentik ........ 12.3s`, the label padded so the times line up.
    static func render(running: [(label: String, elapsed: Duration)], colour: Bool) -> [String] {
        let width = running.map(\.label.count).max() ?? 0
        return running.map { step in
            let seconds = Double(step.elapsed.components.seconds) + Double(step.elapsed.components.attoseconds) / 1e18
            let time = Format.duration(seconds: seconds)
            let marker = colour ? "\u{1B}[36m⠿\u{1B}[0m" : "⠿"
            return "  \(marker) \(step.label.padding(toLength: width, withPad: " ", startingAt: 0))  running \(time)"
        }
    }

    /// Moves the cursor up over `lines` lines and clears to the end of the screen.
    static func erase(lines: Int) -> String {
        lines > 0 ? "\u{1B}[\(lines)A\r\u{1B}[J" : ""
    }

    /// SGR colour per state: green done, red failed, yellow skipped or stopped.
    static func colourCode(for state: StepState) -> Int? {
        switch state {
        case .succeeded: 32
        case .failed: 31
        case .skipped, .interrupted: 33
        default: nil
        }
    }
}
