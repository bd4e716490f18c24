import Foundation
import Synchronization
import TestSupport
@testable import ProvisionCore

/// A component declared inline for tests.
struct TestComponent: Component {
    var id: ComponentID
    var summary: String { "test component \(id)" }
    var dependencies: [ComponentID]
    var isOptional: Bool

    init(_ id: ComponentID, dependsOn dependencies: [ComponentID] = [], optional: Bool = false) {
        self.id = id
        self.dependencies = dependencies
        self.isOptional = optional
    }
}

/// Thread-safe value box for recording what concurrent steps did.
final class Recorder<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ initial: Value) { storage = Mutex(initial) }
    var value: Value { storage.withLock { $0 } }
    @discardableResult
    func update<R: Sendable>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}

/// Counts steps in flight and remembers the highest count seen.
final class InFlightCounter: Sendable {
    private let counts = Mutex((current: 0, maximum: 0))
    func enter() { counts.withLock { $0.current += 1; $0.maximum = max($0.maximum, $0.current) } }
    func leave() { counts.withLock { $0.current -= 1 } }
    var maximum: Int { counts.withLock { $0.maximum } }
}

/// A one-shot signal a task can wait for; waiting past `limit` throws, so a
/// broken scheduler makes a test fail instead of hang.
final class Signal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    var hasFired: Bool { state.withLock { $0.fired } }

    /// Waits for the signal; returns false if it did not come within `limit`. The limit only
    /// turns a broken scheduler into a failure instead of a hang: the events come within
    /// milliseconds alone, but 30 s ran out on a 2-core machine running a second build beside
    /// the full suite (issue 15), so it is generous.
    func wait(upTo limit: Duration = .seconds(300)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let fired = self.state.withLock { state -> Bool in
                        if state.fired { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if fired { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next()!
            if !first { self.fire() }  // release the waiter so the group can finish
            group.cancelAll()
            return first
        }
    }
}

/// Sleeps until cancelled (or an hour passes).
func sleepUntilCancelled() async throws {
    try await Task.sleep(for: .seconds(3600))
}
