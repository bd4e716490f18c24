import Foundation
import ProvisionCore

/// The git revision of the manifests that a run deploys, for the history.
enum GitRevision {
    /// `<commit>` or `<commit>-dirty` when `git status` shows changes under the manifests
    /// directory; nil when the directory is not in a git checkout or git is missing.
    /// Never fails a run: the revision is a record, not a requirement.
    static func of(manifests: URL, runner: any CommandRunner) async -> String? {
        let directory = manifests.path
        guard
            let head = try? await runner.execute(
                Command("git", ["-C", directory, "rev-parse", "HEAD"], timeout: .seconds(10))),
            head.exitStatus == 0
        else { return nil }
        let commit = head.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !commit.isEmpty else { return nil }
        guard
            let status = try? await runner.execute(
                Command("git", ["-C", directory, "status", "--porcelain", "--", "."], timeout: .seconds(10))),
            status.exitStatus == 0
        else { return commit }
        let dirty = !status.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        return dirty ? commit + "-dirty" : commit
    }
}
