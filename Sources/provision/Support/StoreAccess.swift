import Foundation
import ProvisionCore

/// Opening the state store and turning its errors into `provision`'s exit codes.
enum StoreAccess {
    /// Opens (creating when needed) the store in the state directory.
    static func open(_ options: StateOptions) throws -> StateStore {
        do {
            return try StateStore(url: options.databaseFile)
        } catch {
            throw failure(for: error)
        }
    }

    /// Opens the store only if its file exists: read-only commands never create one.
    static func openExisting(_ options: StateOptions) throws -> StateStore? {
        guard FileManager.default.fileExists(atPath: options.databaseFile.path) else { return nil }
        return try open(options)
    }

    /// Runs a store operation, mapping its errors.
    static func perform<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw failure(for: error)
        }
    }

    /// A ``StoreError`` as a ``ProvisionFailure`` with the exit code it deserves.
    static func failure(for error: any Error) -> any Error {
        guard let storeError = error as? StoreError else { return error }
        let (problem, fix) = split(storeError.description)
        switch storeError {
        case .clusterBusy:
            return ProvisionFailure(problem, fix: fix, exitCode: ProvisionExit.locked)
        case .notFound:
            return ProvisionFailure(problem, fix: fix, exitCode: ProvisionExit.usage)
        case .unreadable, .cannotOpen, .newerSchema, .database:
            return ProvisionFailure(problem, fix: fix, exitCode: ProvisionExit.stateStore)
        }
    }

    /// Splits "problem\n  fix: fix" descriptions so they print in our own format.
    static func split(_ description: String) -> (String, String?) {
        guard let range = description.range(of: "\n  fix: ") else { return (description, nil) }
        return (String(description[..<range.lowerBound]), String(description[range.upperBound...]))
    }
}
