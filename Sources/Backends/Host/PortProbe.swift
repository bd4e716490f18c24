import Foundation
import ProvisionCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a host port is free for a cluster to publish.
public enum PortAvailability: Sendable, Hashable {
    case free
    /// Something listens there already (EADDRINUSE).
    case inUse
    /// Neither connecting nor binding could tell.
    case cannotCheck(String)
}

/// Checks host ports; a protocol so tests can answer without sockets.
public protocol PortChecker: Sendable {
    func availability(ofTCPPort port: Int, address: String) -> PortAvailability
}

/// How to see what listens on a port, on Linux and on macOS.
public func whoListens(on port: Int) -> String {
    "Linux: `sudo ss -ltnp 'sport = :\(port)'`; macOS: `sudo lsof -nP -iTCP:\(port) -sTCP:LISTEN`"
}

/// A host port a new cluster will publish, and where its configuration says so.
public struct PublishedPort: Sendable, Hashable {
    public var port: Int
    /// The host address it binds; all addresses when empty or `0.0.0.0`.
    public var address: String
    public init(port: Int, address: String) {
        self.port = port
        self.address = address
    }
}

extension PortChecker {
    /// The ports a new cluster publishes must be free: one problem naming the taken ones, and a
    /// warning for each that cannot be checked.
    /// - Parameters:
    ///   - publisher: who publishes them and where that is configured, for the message:
    ///     "kind publishes it for the edge (extraPortMappings in k8s/overlays/local/kind-cluster-config.yaml)".
    ///   - otherPort: how to publish on another port instead, the fix's second way out: "change
    ///     hostPort in k8s/overlays/local/kind-cluster-config.yaml".
    public func check(
        _ ports: [PublishedPort], publisher: (_ count: Int) -> String, otherPort: String
    ) -> (problem: Problem?, warnings: [PreflightWarning]) {
        var taken: [Int] = []
        var warnings: [PreflightWarning] = []
        for published in ports {
            switch availability(ofTCPPort: published.port, address: published.address) {
            case .free:
                continue
            case .inUse:
                taken.append(published.port)
            case .cannotCheck(let reason):
                warnings.append(PreflightWarning(
                    problem: "cannot check whether port \(published.port) is free (\(reason))",
                    fix: "if the cluster then fails to start because the port is taken, stop what listens on port "
                        + "\(published.port): " + whoListens(on: published.port)))
            }
        }
        guard let first = taken.first else { return (nil, warnings) }
        let list = taken.map(String.init).joined(separator: ", ")
        return (Problem(
            .preflight,
            problem: taken.map { "port \($0) is already allocated" }.joined(separator: ", ")
                + " on this host; " + publisher(taken.count),
            fix: "stop what listens on port \(list) (\(whoListens(on: first))), or \(otherPort)"),
            warnings)
    }
}

/// Finds listeners the way a non-root user can: first by connecting (below port 1024 an
/// unprivileged `bind()` fails with EACCES before the kernel looks at whether the port is in
/// use, so binding alone never sees a taken port 80 except as root), then, when nothing answers,
/// by binding (with SO_REUSEADDR, as Docker's proxy does) where that is allowed.
public struct SocketPortChecker: PortChecker {
    public init() {}

    public func availability(ofTCPPort port: Int, address: String) -> PortAvailability {
        let host = address.isEmpty || address == "0.0.0.0" ? "127.0.0.1" : address
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &socketAddress.sin_addr) == 1 else {
            return .cannotCheck("\(address) is not an IPv4 address")
        }
        switch connects(to: socketAddress) {
        case .some(true): return .inUse
        case .some(false): break
        case nil: return .cannotCheck("connecting to \(host):\(port) failed: \(String(cString: strerror(errno)))")
        }
        // Nothing answers there. Binding also catches a listener on another address of the
        // host when Docker publishes on all of them (0.0.0.0).
        var bindAddress = socketAddress
        if address.isEmpty || address == "0.0.0.0" { bindAddress.sin_addr.s_addr = INADDR_ANY }
        switch binds(bindAddress) {
        case 0: return .free
        case EADDRINUSE: return .inUse
        // Not ours to bind (a port below 1024 as non-root), but nothing answers on it: free for
        // Docker, which binds as root (rootless Docker and Docker Desktop say so at create).
        case EACCES: return .free
        case let code: return .cannotCheck(String(cString: strerror(code)))
        }
    }

    private static func tcpSocket() -> Int32 {
        #if canImport(Glibc) || canImport(Musl)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    /// true: something accepted the connection; false: refused; nil: could not tell.
    private func connects(to address: sockaddr_in) -> Bool? {
        let descriptor = Self.tcpSocket()
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = address
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return true }
        return errno == ECONNREFUSED ? false : nil
    }

    /// 0 when `address` could be bound, else errno.
    private func binds(_ address: sockaddr_in) -> Int32 {
        let descriptor = Self.tcpSocket()
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = address
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0 ? 0 : errno
    }
}
