import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP socket listening on 127.0.0.1, as a program holding a port would be; also the way
/// tests pick a free port (port 0: the system chooses) instead of guessing one at random.
public final class ListeningSocket: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var isOpen = true

    public struct BindError: Error, CustomStringConvertible {
        public let port: Int
        public let code: Int32
        public var description: String { "cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(code)))" }
    }

    /// Listens on `port`, or on a port the system picks when `port` is 0.
    public init(port requested: Int = 0) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BindError(port: requested, code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requested).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 1) == 0 else {
            let code = errno
            Self.closeDescriptor(descriptor)
            throw BindError(port: requested, code: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    /// Stops listening. Safe to call more than once (a closed descriptor number may
    /// already belong to someone else, so it is closed exactly once).
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard isOpen else { return }
        isOpen = false
        Self.closeDescriptor(descriptor)
    }

    private static func closeDescriptor(_ descriptor: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
    }

    deinit { close() }

    /// A port on 127.0.0.1 that was free a moment ago, for a server a test starts next.
    ///
    /// Drawn at random from below the kernel's ephemeral range (Linux: 32768-60999), not from
    /// it: every outgoing connection on the machine takes its local port from that range, so a
    /// port the kernel handed out and the test released could be taken by a client before the
    /// server bound it ("Address already in use", seen with PostgreSQL and Redis under load).
    public static func freePort() throws -> Int {
        let range = below(ephemeralRange())
        for _ in 0..<500 {
            let port = Int.random(in: range)
            guard let socket = try? ListeningSocket(port: port) else { continue }
            socket.close()
            return port
        }
        let socket = try ListeningSocket()
        defer { socket.close() }
        return socket.port
    }

    /// The ports outgoing connections use: `net.ipv4.ip_local_port_range` (Linux's default
    /// where it cannot be read).
    public static func ephemeralRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return 32768...60999 }
        return bounds[0]...bounds[1]
    }

    /// Unprivileged ports outside `ephemeral`: below it when there is room, else above it.
    public static func below(_ ephemeral: ClosedRange<Int>) -> ClosedRange<Int> {
        if ephemeral.lowerBound > 10_000 { return 10_000...(ephemeral.lowerBound - 1) }
        return min(ephemeral.upperBound + 1, 65_000)...65_535
    }
}
