import Foundation

/// The files of an OpenSpec change folder (`openspec/changes/<id>/`), read into memory
/// so the checks can run on the real folder and on broken samples alike.
struct ChangeFolder {
    var id: String
    var proposal: String?
    var design: String?
    var tasks: String?
    /// `.openspec.yaml`, the change's metadata.
    var metadata: String?
    /// Every `spec.md` under `specs/`, keyed by its path relative to `specs/`
    /// (`staging-cluster/spec.md`; a file directly at `specs/spec.md` is keyed `spec.md`).
    var specs: [String: String] = [:]

    init(
        id: String, proposal: String? = nil, design: String? = nil, tasks: String? = nil,
        metadata: String? = nil, specs: [String: String] = [:]
    ) {
        self.id = id
        self.proposal = proposal
        self.design = design
        self.tasks = tasks
        self.metadata = metadata
        self.specs = specs
    }

    /// Reads a change folder from disk. Like OpenSpec, it skips dot entries and finds
    /// `spec.md` at any depth below `specs/`.
    init(directory: URL) throws {
        let files = FileManager.default
        func text(_ name: String) throws -> String? {
            let url = directory.appending(path: name)
            return files.fileExists(atPath: url.path) ? try String(contentsOf: url, encoding: .utf8) : nil
        }
        self.init(
            id: directory.lastPathComponent, proposal: try text("proposal.md"), design: try text("design.md"),
            tasks: try text("tasks.md"), metadata: try text(".openspec.yaml"))
        let specsRoot = directory.appending(path: "specs")
        guard let walker = files.enumerator(at: specsRoot, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        else { return }
        for case let url as URL in walker where url.lastPathComponent == "spec.md" {
            let relative = url.standardizedFileURL.path.dropFirst(specsRoot.standardizedFileURL.path.count + 1)
            specs[String(relative)] = try String(contentsOf: url, encoding: .utf8)
        }
    }
}
