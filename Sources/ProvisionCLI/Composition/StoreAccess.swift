import Foundation
import ProvisionCore
import RunHistory

/// Opening the state store; its errors are ``Problem``s like every other.
enum StoreAccess {
    /// Opens (creating when needed) the store in the state directory.
    static func open(_ options: StateOptions, in runtime: Runtime) throws -> StateStore {
        try options.checkLocation(in: runtime)
        do {
            return try runtime.openStore(options.databaseFile(in: runtime))
        } catch {
            throw Problem(error)
        }
    }

    /// Opens the store for reading, only if its file exists: read-only commands never create
    /// one and never change it (``StateStore/init(readingCopyOf:)``), so they work on a copied
    /// or read-only database.
    static func openExisting(_ options: StateOptions, in runtime: Runtime) throws -> StateStore? {
        try options.checkLocation(in: runtime)
        let file = options.databaseFile(in: runtime)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do {
            return try StateStore(readingCopyOf: file)
        } catch {
            throw Problem(error)
        }
    }

    /// Runs a store operation, its errors as ``Problem``s.
    static func perform<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw Problem(error)
        }
    }
}
