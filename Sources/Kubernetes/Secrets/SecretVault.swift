import Foundation
import ProvisionCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generated credentials, kept outside git and reused forever.
///
/// Values live in `<directory>/<secret name>.env` (`KEY=value` lines), the directory
/// owner-only (0700) and each file owner-only (0600). A value is generated once, on first
/// use, and reused on every later run, also after the cluster was deleted and recreated:
/// regenerating a database password would lock out the data that survived. Keys a
/// component declares later are added without touching existing ones.
///
/// Values never appear in errors or descriptions; ``storedValues(of:)`` is the only way out.
public final class SecretVault: Sendable {
    /// Where the `.env` files live, e.g. `<state>/clusters/wrightnow/secrets`.
    public let directory: URL
    private let lock = Mutex(())

    public init(directory: URL) {
        self.directory = directory
    }

    /// The vault of `cluster` under a `provision` state directory.
    public convenience init(stateDirectory: URL, cluster: String) {
        self.init(
            directory: stateDirectory.appending(path: "clusters").appending(path: cluster)
                .appending(path: "secrets"))
    }

    public func fileURL(for secretName: String) -> URL {
        directory.appending(path: "\(secretName).env")
    }

    /// The random keys of `spec` that have no stored value yet.
    public func missingKeys(of spec: SecretSpec) throws -> [String] {
        let stored = try lock.withLock { _ in try Self.read(fileURL(for: spec.name)) } ?? EnvFile()
        return spec.keys.compactMap { entry in
            if case .random = entry.value, stored.value(for: entry.key) == nil { return entry.key }
            return nil
        }
    }

    /// The values of `spec`'s keys in declaration order: literals as declared, random
    /// values as stored. A random key with no stored value takes its value from `adopting`
    /// when that has one (the Secret already in the cluster), else a new one is generated;
    /// either way it is saved before it is returned.
    public func values(
        for spec: SecretSpec, adopting existing: [String: String] = [:]
    ) throws -> [(key: String, value: String)] {
        try lock.withLock { _ in
            try ensureDirectory()
            let file = fileURL(for: spec.name)
            var stored = try Self.read(file) ?? EnvFile()
            var changed = false
            var result: [(key: String, value: String)] = []
            for (key, declared) in spec.keys {
                switch declared {
                case .literal(let value):
                    result.append((key, value))
                case .random(let length):
                    if let stored = stored.value(for: key) {
                        result.append((key, stored))
                    } else if let adopted = existing[key], !adopted.isEmpty {
                        stored.set(key, adopted)
                        changed = true
                        result.append((key, adopted))
                    } else {
                        let generated = RandomSecret.alphanumeric(length: length)
                        stored.set(key, generated)
                        changed = true
                        result.append((key, generated))
                    }
                }
            }
            if changed { try Self.write(stored, to: file) }
            return result
        }
    }

    /// The stored values of `secretName` (nil when none were generated yet).
    /// For `provision` commands that show credentials when the user asks for them.
    public func storedValues(of secretName: String) throws -> [(key: String, value: String)]? {
        try lock.withLock { _ in try Self.read(fileURL(for: secretName))?.entries }
    }

    private func ensureDirectory() throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            // Tighten a directory that existed before with looser permissions.
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        } catch {
            throw Problem(
                problem: "cannot create the secrets directory \(directory.path): \(error.localizedDescription)",
                fix: "make sure the state directory is writable by you, or choose another with --state-dir")
        }
    }

    private static func read(_ file: URL) throws -> EnvFile? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw Problem(
                problem: "cannot read \(file.path): \(error.localizedDescription)",
                fix: "check the file's owner and permissions (it should be yours, mode 0600)")
        }
        return try EnvFile(parsing: text, path: file.path)
    }

    private static func write(_ env: EnvFile, to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appending(path: ".\(file.lastPathComponent).tmp")
        let manager = FileManager.default
        do {
            // Created 0600 before any value is written, then moved into place atomically.
            try? manager.removeItem(at: temporary)
            guard manager.createFile(
                atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown) }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: Data(env.rendered.utf8))
            try handle.synchronize()
            try handle.close()
            // rename(2) replaces the old file atomically: a crash leaves old or new, never half.
            guard rename(temporary.path, file.path) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        } catch {
            try? manager.removeItem(at: temporary)
            throw Problem(
                problem: "cannot write \(file.path): \(error.localizedDescription)",
                fix: "make sure the state directory is writable by you")
        }
    }
}
