import Foundation

/// Bounded exponential backoff for applies refused because an admission webhook
/// is not reachable yet. Right after ingress-nginx is installed its validating
/// webhook exists before its pod serves it, and every Ingress apply fails until then.
public struct WebhookRetryPolicy: Sendable, Hashable {
    /// Total tries, the first included.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int, initialDelay: Duration, maxDelay: Duration) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// 6 tries over about a minute: 2, 4, 8, 16, 30 seconds apart.
    public static let `default` = WebhookRetryPolicy(
        maxAttempts: 6, initialDelay: .seconds(2), maxDelay: .seconds(30))

    /// The wait before the next try, or nil when `attempt` was the last allowed one.
    public func delay(afterAttempt attempt: Int) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        var delay = initialDelay
        for _ in 1..<attempt { delay = min(delay * 2, maxDelay) }
        return min(delay, maxDelay)
    }

    /// What kubectl prints when the API server could not reach a webhook
    /// (e.g. `failed calling webhook "validate.nginx.ingress.kubernetes.io"`).
    public static func isWebhookUnavailable(_ output: String) -> Bool {
        output.contains("failed calling webhook")
    }
}
