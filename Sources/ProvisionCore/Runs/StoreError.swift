import Foundation

/// The state store cannot do what was asked. Each case names the problem and the fix.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database file exists but is not a usable SQLite database.
    case unreadable(path: String, reason: String)
    /// The directory or file cannot be created or opened.
    case cannotOpen(path: String, reason: String)
    /// The file was written by a newer `provision` with migrations this one does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// Another live process is working on the same cluster.
    case clusterBusy(cluster: String, holder: RunRecord)
    /// A run or step id that does not exist.
    case notFound(String)
    /// Any other database failure, with the path for context.
    case database(path: String, reason: String)

    /// What went wrong, in one sentence.
    public var problem: String {
        switch self {
        case .unreadable(let path, let reason):
            return "the state database \(path) is not readable: \(reason)"
        case .cannotOpen(let path, let reason):
            return "cannot open the state database \(path): \(reason)"
        case .newerSchema(let path, let unknown):
            return "the state database \(path) was written by a newer provision "
                + "(unknown migrations: \(unknown.joined(separator: ", ")))"
        case .clusterBusy(let cluster, let holder):
            return "cluster `\(cluster)` is busy: run \(holder.id) (pid \(holder.pid), started "
                + "\(holder.startedAt.formatted(.iso8601))) is still working on it: "
                + "\(holder.commandLine.joined(separator: " "))"
        case .notFound(let what):
            return "\(what) does not exist in the state database"
        case .database(let path, let reason):
            return "the state database \(path) failed: \(reason)"
        }
    }

    /// What the user can do about it.
    public var fix: String {
        switch self {
        case .unreadable(let path, _):
            return "move the file aside (`mv \(path) \(path).broken`) to start a new history, "
                + "or point PROVISION_STATE_DIR / --state-dir at another directory"
        case .cannotOpen:
            return "make sure the directory exists and is writable, "
                + "or point PROVISION_STATE_DIR / --state-dir at a writable directory"
        case .newerSchema:
            return "use the newer provision, or point PROVISION_STATE_DIR / --state-dir at another directory"
        case .clusterBusy(_, let holder):
            return "wait for it to finish or stop it (kill \(holder.pid)), then try again"
        case .notFound:
            return "list the runs with `provision history`"
        case .database:
            return "check free disk space and permissions of the file; if it persists, move the file aside"
        }
    }

    public var description: String { "\(problem)\n  fix: \(fix)" }
}
