import Foundation
import ProcessRunning
import ProvisionCore

/// The git revision of the manifests that a run deploys, for the history.
enum GitRevision {
    /// `<commit>` or `<commit>-dirty` when git shows changes under the manifests directory;
    /// nil when the directory is not in a git checkout or git is missing. One call:
    /// `git status --porcelain=v2 --branch` prints `# branch.oid <commit>` and a line per change.
    /// Never fails a run: the revision is a record, not a requirement.
    static func of(manifests: URL, runner: any CommandRunner) async -> String? {
        guard
            let status = try? await runner.execute(Command(
                "git", ["-C", manifests.path, "status", "--porcelain=v2", "--branch", "--", "."],
                // Generous: on a loaded 2-core machine (the full test suite) 10 s was seen to run out.
                timeout: .seconds(30))),
            status.exitStatus == 0
        else { return nil }
        let lines = status.standardOutput.split(separator: "\n")
        guard let oid = lines.first(where: { $0.hasPrefix("# branch.oid ") })?.dropFirst("# branch.oid ".count),
            oid != "(initial)", !oid.isEmpty
        else { return nil }
        let dirty = lines.contains { !$0.hasPrefix("#") }
        return String(oid) + (dirty ? "-dirty" : "")
    }
}
