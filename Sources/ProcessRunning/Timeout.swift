/// A piece of work ran past its time limit and was cancelled.
public struct TimeoutError: Error, Sendable, Hashable, CustomStringConvertible {
    public var limit: Duration
    public init(limit: Duration) { self.limit = limit }
    public var description: String { "did not finish within \(limit.formattedSeconds)" }
}

extension Duration {
    /// `1.5 s`, `600 s`: short and unambiguous for messages.
    public var formattedSeconds: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds.rounded() == seconds ? "\(Int64(seconds)) s" : String(format: "%.1f s", seconds)
    }
}

private enum Race<Value: Sendable>: Sendable {
    case body(Result<Value, any Error>)
    case timer(fired: Bool)
}

/// Runs `body`, cancelling it when `limit` passes first.
///
/// Whichever ends first decides: the body's result, or ``TimeoutError`` once the
/// cancelled body has returned. Cancelling the caller cancels the body and
/// returns whatever it then does (usually `CancellationError`).
public func withTimeout<Value: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let result: Result<Value, any Error> = await withTaskGroup(of: Race<Value>.self) { group in
        group.addTask {
            do { return .body(.success(try await body())) } catch { return .body(.failure(error)) }
        }
        group.addTask {
            do {
                try await Task.sleep(for: limit)
                return .timer(fired: true)
            } catch {
                return .timer(fired: false)
            }
        }
        var outcome: Result<Value, any Error>?
        var timedOut = false
        while let next = await group.next() {
            switch next {
            case .timer(fired: true) where outcome == nil:
                timedOut = true
                group.cancelAll()
            case .timer:
                break
            case .body(let result):
                outcome = result
                group.cancelAll()
            }
        }
        return timedOut ? .failure(TimeoutError(limit: limit)) : outcome!
    }
    return try result.get()
}
