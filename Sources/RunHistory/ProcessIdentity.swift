import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process id plus its start time, so a recycled pid is not mistaken for
/// the process that wrote a run.
public struct ProcessIdentity: Sendable, Hashable {
    public var pid: Int32
    /// Linux: field 22 of /proc/<pid>/stat (clock ticks since boot). `nil` where unknown.
    public var startTime: UInt64?

    public init(pid: Int32, startTime: UInt64?) {
        self.pid = pid
        self.startTime = startTime
    }

    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTime: startTime(of: pid))
    }

    /// True while the process exists and, where start times are known, is the same process.
    public var isAlive: Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        guard let stat = Self.stat(of: pid) else { return true }
        // A killed process whose parent has not reaped it yet is a zombie: gone for our purposes.
        if stat.state == "Z" || stat.state == "X" { return false }
        guard let recorded = startTime, let now = stat.startTime else { return true }
        return recorded == now
    }

    static func startTime(of pid: Int32) -> UInt64? { stat(of: pid)?.startTime }

    /// Reads state and start time from procfs. The command name (field 2) may contain
    /// spaces and parentheses, so fields are counted after its closing parenthesis.
    static func stat(of pid: Int32) -> (state: Character, startTime: UInt64?)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")" come fields 3 (state), 4, ...; field 22 (start time) is at offset 19.
        guard let state = fields.first?.first else { return nil }
        return (state, fields.count > 19 ? UInt64(fields[19]) : nil)
    }
}
