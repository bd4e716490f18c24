import Foundation

/// Sums what the stack asks of a machine: requests and limits of every container times
/// its replicas. Quantities in millicores and bytes.
struct ResourceBudget: Equatable, CustomStringConvertible {
    var cpuRequestMillis = 0
    var memoryRequestBytes = 0
    var cpuLimitMillis = 0
    var memoryLimitBytes = 0

    static let mebibyte = 1 << 20
    static let gibibyte = 1 << 30

    init() {}

    init(of objects: [KubeObject]) throws {
        for workload in objects where workload.isWorkload {
            for container in workload.containers where !container.isInit {
                let requests = Tree.dictionary(container.resources["requests"])
                let limits = Tree.dictionary(container.resources["limits"])
                cpuRequestMillis += try Self.millicores(requests["cpu"]) * workload.replicas
                memoryRequestBytes += try Self.bytes(requests["memory"]) * workload.replicas
                cpuLimitMillis += try Self.millicores(limits["cpu"]) * workload.replicas
                memoryLimitBytes += try Self.bytes(limits["memory"]) * workload.replicas
            }
        }
    }

    static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.cpuRequestMillis += rhs.cpuRequestMillis
        sum.memoryRequestBytes += rhs.memoryRequestBytes
        sum.cpuLimitMillis += rhs.cpuLimitMillis
        sum.memoryLimitBytes += rhs.memoryLimitBytes
        return sum
    }

    var description: String {
        "requests \(cpuRequestMillis)m CPU / \(memoryRequestBytes / Self.mebibyte)Mi, "
            + "limits \(cpuLimitMillis)m CPU / \(memoryLimitBytes / Self.mebibyte)Mi"
    }

    struct QuantityError: Error, CustomStringConvertible {
        var description: String
    }

    /// `250m`, `1`, `0.5` -> millicores; a missing value counts as 0.
    static func millicores(_ value: Any?) throws -> Int {
        guard let text = Tree.string(value) else { return 0 }
        if text.hasSuffix("m"), let number = Int(text.dropLast()) { return number }
        if let number = Double(text) { return Int((number * 1000).rounded()) }
        throw QuantityError(description: "unreadable CPU quantity \(text)")
    }

    /// `256Mi`, `1Gi`, `512M`, `1000` -> bytes; a missing value counts as 0.
    static func bytes(_ value: Any?) throws -> Int {
        guard let text = Tree.string(value) else { return 0 }
        let units: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)) { return Int(number * factor) }
        }
        if let number = Double(text) { return Int(number) }
        throw QuantityError(description: "unreadable memory quantity \(text)")
    }
}
