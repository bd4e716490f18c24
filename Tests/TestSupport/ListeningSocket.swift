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

    /// A port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let socket = try ListeningSocket()
        defer { socket.close() }
        return socket.port
    }
}
