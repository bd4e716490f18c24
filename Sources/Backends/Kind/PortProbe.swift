import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a host port is free, found by trying to bind it: the only check that
/// agrees with what Docker will run into when kind publishes the port.
public enum PortAvailability: Sendable, Hashable {
    case free
    /// Something listens there already (EADDRINUSE).
    case inUse
    /// Binding needs privileges we lack (EACCES for ports below 1024 as non-root):
    /// Docker, running as root, may still manage, so this is not conclusive.
    case cannotCheck(String)
}

/// Checks host ports; a protocol so tests can answer without sockets.
public protocol PortChecker: Sendable {
    func availability(ofTCPPort port: Int, address: String) -> PortAvailability
}

/// Binds a real TCP socket (with SO_REUSEADDR, as Docker's proxy does) and closes it again.
public struct SocketPortChecker: PortChecker {
    public init() {}

    public func availability(ofTCPPort port: Int, address: String) -> PortAvailability {
        #if canImport(Glibc) || canImport(Musl)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return .cannotCheck("socket() failed: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        let host = address.isEmpty || address == "0.0.0.0" ? "0.0.0.0" : address
        guard inet_pton(AF_INET, host, &socketAddress.sin_addr) == 1 else {
            return .cannotCheck("\(address) is not an IPv4 address")
        }
        let result = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return .free }
        switch errno {
        case EADDRINUSE: return .inUse
        case EACCES: return .cannotCheck("binding port \(port) needs root privileges")
        default: return .cannotCheck(String(cString: strerror(errno)))
        }
    }
}
