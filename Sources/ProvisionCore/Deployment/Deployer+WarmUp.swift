import Foundation
import ProcessRunning
import Synchronization

/// The `pull` steps of one run, and the first store failure among them.
final class WarmUp: Sendable {
    let steps: [(id: StepID, image: String)]
    private let failures = Mutex<[any Error]>([])

    init(steps: [(StepID, String)]) {
        self.steps = steps.map { (id: $0.0, image: $0.1) }
    }

    func record(_ error: any Error) { failures.withLock { $0.append(error) } }
    var storeFailure: (any Error)? { failures.withLock { $0.first } }
}

extension Deployer {
    /// Pulls each image through the caches, at most ``DeployOptions/maxConcurrency`` at once,
    /// each a step of its own under the step timeout. A pull that fails is a warning: the
    /// node pulls the image itself later, so the run goes on. Cancelled, it stops starting
    /// pulls; the run's end records those as not started.
    func warmUp(_ warming: WarmUp, through caches: any ImageCaches) async {
        await withTaskGroup(of: Void.self) { group in
            var pending = warming.steps[...]
            for _ in 0..<max(1, options.maxConcurrency) {
                guard let next = pending.popFirst() else { break }
                group.addTask { await pull(next.image, step: next.id, through: caches, warming) }
            }
            for await _ in group {
                guard !Task.isCancelled, let next = pending.popFirst() else { continue }
                group.addTask { await pull(next.image, step: next.id, through: caches, warming) }
            }
        }
    }

    private func pull(_ image: String, step: StepID, through caches: any ImageCaches, _ warming: WarmUp) async {
        guard !Task.isCancelled else { return }
        let label = StepLabel(.pull, subject: image)
        let started = ContinuousClock.now
        do {
            try store.markStep(step, .running)
            progress(.stepStarted(label))
            do {
                let note = try await withTimeout(options.stepTimeout) { try await caches.warmUp(image) }
                try store.markStep(step, .succeeded, note: note)
                progress(.stepFinished(label, .succeeded, duration: .now - started, detail: note))
            } catch where Task.isCancelled || error is CancellationError {
                let reason = "interrupted (the run was cancelled)"
                try store.markStep(step, .interrupted, error: reason)
                progress(.stepFinished(label, .interrupted, duration: .now - started, detail: reason))
            } catch {
                // Recorded as failed (the warm-up did not happen), while the run goes on.
                let detail = "warning, the run goes on: " + Self.describe(error)
                try store.markStep(step, .failed, error: detail)
                progress(.stepFinished(label, .failed, duration: .now - started, detail: detail))
                progress(.warning(PreflightWarning(
                    problem: "could not warm up \(image) through its cache: \(Problem(error).problem)",
                    fix: "nothing to do now: the node pulls it itself; `provision status` shows the caches' state")))
            }
        } catch {
            warming.record(error)
        }
    }
}
