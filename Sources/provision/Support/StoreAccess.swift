import Foundation
import ProvisionCore

/// Opening the state store; its errors are ``Problem``s like every other.
enum StoreAccess {
    /// Opens (creating when needed) the store in the state directory.
    static func open(_ options: StateOptions, in context: CommandContext) throws -> StateStore {
        do {
            return try context.openStore(options.databaseFile(in: context))
        } catch {
            throw Problem(error)
        }
    }

    /// Opens the store only if its file exists: read-only commands never create one.
    static func openExisting(_ options: StateOptions, in context: CommandContext) throws -> StateStore? {
        guard FileManager.default.fileExists(atPath: options.databaseFile(in: context).path) else { return nil }
        return try open(options, in: context)
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
