import Foundation
import Kubernetes
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

/// The git checkout a directory is in, as Argo CD will read it: its root, its remote and its
/// branch. Every question is one `git` call through the command runner.
struct GitCheckout {
    let root: URL
    let runner: any CommandRunner

    static let timeout = Command.localQueryTimeout

    /// The checkout holding `directory`, or nil when it is in none.
    /// - Throws: ``Problem`` when git cannot be run or does not answer in time.
    static func containing(_ directory: URL, runner: any CommandRunner) async throws -> GitCheckout? {
        let output: CommandOutput
        do {
            output = try await runner.execute(Command(
                "git", ["-C", directory.path, "rev-parse", "--show-toplevel"], timeout: timeout))
        } catch {
            throw Problem(
                .preflight, problem: "cannot ask git which repository \(directory.path) is in",
                fix: "install git (https://git-scm.com/downloads), then run the command again", cause: error)
        }
        guard output.exitStatus == 0 else { return nil }
        let path = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : GitCheckout(root: URL(filePath: path, directoryHint: .isDirectory), runner: runner)
    }

    /// The URL of `remote` as the repository configures it (`git config --get
    /// remote.<remote>.url`); nil when there is no such remote. Unlike `git remote get-url`, not
    /// rewritten by this machine's `url.<base>.insteadOf` (a local mirror, or ssh instead of
    /// https), which the cluster that clones it does not share.
    func remoteURL(_ remote: String = "origin") async -> String? {
        await answer(["config", "--get", "remote.\(remote).url"])
    }

    /// The current branch (`git rev-parse --abbrev-ref HEAD`), or `HEAD` when detached or
    /// before the first commit.
    func branch() async -> String {
        await answer(["rev-parse", "--abbrev-ref", "HEAD"]) ?? "HEAD"
    }

    /// The files under `directory` that a commit would carry, as paths relative to the root:
    /// tracked ones still in the work tree, and new ones that `.gitignore` does not exclude
    /// (`git ls-files --cached --others --exclude-standard`), so ignored files such as real
    /// credentials (`k8s/**/*-secrets.yaml`) never leave the machine.
    /// - Throws: ``Problem`` when git cannot list them.
    func files(under directory: URL) async throws -> [String] {
        let command = Command(
            "git",
            ["-C", root.path, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
             RelativePath.from(root, to: directory)],
            timeout: Self.timeout)
        let output: CommandOutput
        do {
            output = try await runner.run(command)
        } catch {
            throw Problem(
                problem: "cannot list the files of \(directory.path) in the repository \(root.path)",
                fix: "check that `git` works in the repository (`git status`)", cause: error)
        }
        let paths = Set(output.standardOutput.split(separator: "\0").map(String.init))
        // A tracked file deleted in the work tree is not part of what would be committed.
        return paths.filter { FileManager.default.fileExists(atPath: root.appending(path: $0).path) }.sorted()
    }

    private func answer(_ arguments: [String]) async -> String? {
        guard let output = try? await runner.execute(Command("git", ["-C", root.path] + arguments, timeout: Self.timeout)),
            output.exitStatus == 0
        else { return nil }
        let text = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
