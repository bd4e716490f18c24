import Foundation
import TestSupport
import Testing
import Yams

/// The GitHub Actions workflows, checked offline: GitHub's workflow schema (check-jsonschema's
/// vendored copy), zizmor's security audits (--offline), and the rules this project sets for
/// them. scripts/test-env.sh installs both tools from PyPI and stops when either is missing.
@Suite("GitHub workflows")
struct WorkflowTests {
    static let directory = ".github/workflows"
    static let files = ["ci.yml", "real-cluster.yml", "release.yml"]

    static func paths(in root: URL = Repository.root) -> [String] {
        files.map { root.appending(path: "\(directory)/\($0)").path }
    }

    static func schema(_ paths: [String]) async throws -> ProcessResult {
        try await ChildProcess.run(["check-jsonschema", "--builtin-schema", "vendor.github-workflows"] + paths, limit: 120)
    }

    static func zizmor(_ paths: [String]) async throws -> ProcessResult {
        try await ChildProcess.run(["zizmor", "--offline", "--no-progress"] + paths, limit: 120)
    }

    static func load(_ name: String) throws -> [String: Any] {
        Tree.dictionary(try Yams.load(yaml: Repository.read("\(directory)/\(name)")))
    }

    @Test("the workflow files are exactly ci.yml, real-cluster.yml and release.yml")
    func knownFiles() throws {
        let found = try FileManager.default.contentsOfDirectory(atPath: Repository.file(Self.directory).path).sorted()
        #expect(found == Self.files)
    }

    @Test("each passes GitHub's workflow schema")
    func schemaPasses() async throws {
        let result = try await Self.schema(Self.paths())
        #expect(result.succeeded, "\(result.description)")
    }

    @Test("zizmor --offline finds nothing")
    func zizmorPasses() async throws {
        let result = try await Self.zizmor(Self.paths())
        #expect(result.succeeded, "\(result.description)")
        #expect((result.standardOutput + result.standardError).contains("No findings"), "\(result.description)")
    }

    /// A copy of ci.yml with the mistakes the tools must catch: an unpinned action that keeps
    /// its credentials, no permissions block, and a misspelt key.
    static let brokenWorkflow = """
        name: broken
        on: push
        jobs:
          test:
            runs-on: ubuntu-24.04
            steps:
              - uses: actions/checkout@v4
              - run: ./scripts/test
        """

    @Test("both tools reject a broken workflow (the checks can fail)")
    func toolsCatchMistakes() async throws {
        let scratch = try TemporaryDirectory("workflows")
        let unsafe = try scratch.write(Self.brokenWorkflow, to: "\(Self.directory)/unsafe.yml")
        let audit = try await Self.zizmor([unsafe.path])
        #expect(!audit.succeeded)
        let findings = audit.standardOutput + audit.standardError
        for audit in ["unpinned-uses", "artipacked", "excessive-permissions"] {
            #expect(findings.contains(audit), "zizmor did not report \(audit):\n\(findings)")
        }
        let misspelt = try scratch.write(
            Self.brokenWorkflow.replacingOccurrences(of: "runs-on:", with: "runs_on:"), to: "\(Self.directory)/misspelt.yml")
        #expect(!(try await Self.schema([misspelt.path])).succeeded)
    }

    @Test("every action is pinned to a full commit SHA and keeps no credentials", arguments: files)
    func actionsArePinned(_ file: String) throws {
        let jobs = Tree.dictionary(try Self.load(file)["jobs"])
        var uses = 0
        for (name, job) in jobs {
            for step in Tree.array(Tree.dictionary(job)["steps"]).map(Tree.dictionary) {
                guard let action = Tree.string(step["uses"]) else { continue }
                uses += 1
                #expect(action.wholeMatch(of: /[\w.-]+\/[\w.\/-]+@[0-9a-f]{40}/) != nil, "\(file) job \(name): \(action) is not pinned to a commit")
                if action.hasPrefix("actions/checkout@") {
                    #expect(Tree.bool(Tree.value(step, at: "with.persist-credentials")) == false,
                            "\(file) job \(name): checkout must set persist-credentials: false")
                }
            }
        }
        #expect(uses > 0)
    }

    @Test("read-only token and one run per ref", arguments: files)
    func permissionsAndConcurrency(_ file: String) throws {
        let workflow = try Self.load(file)
        #expect(Tree.stringDictionary(workflow["permissions"]) == ["contents": "read"])
        #expect(Tree.string(Tree.value(workflow, at: "concurrency.group"))?.contains("github.ref") == true)
        // Only the job that publishes a release may write, and only there.
        for (name, job) in Tree.dictionary(workflow["jobs"]) {
            guard let permissions = Tree.dictionary(job)["permissions"] else { continue }
            #expect(file == "release.yml" && name == "publish", "\(file) job \(name) widens the token")
            #expect(Tree.stringDictionary(permissions) == ["contents": "write"], "\(file) job \(name)")
        }
    }

    /// Yams reads the key `on` as the boolean true (YAML 1.1).
    static func triggers(_ workflow: [String: Any]) -> [String: Any] {
        Tree.dictionary(workflow["on"] ?? workflow.first { $0.key == "true" }?.value)
    }

    @Test("pushes run only on main, so a pull request's push runs each workflow once")
    func triggersDoNotDuplicate() throws {
        for file in ["ci.yml", "real-cluster.yml"] {
            let on = Self.triggers(try Self.load(file))
            #expect(Tree.array(Tree.value(on, at: "push.branches")).compactMap(Tree.string) == ["main"], "\(file)")
            #expect(on.keys.contains("workflow_dispatch"), "\(file) must run on demand")
        }
        #expect(Self.triggers(try Self.load("real-cluster.yml"))["pull_request"] == nil,
                "the real cluster runs on main and on demand, not for every pull request")
        #expect(Self.triggers(try Self.load("ci.yml")).keys.contains("pull_request"))
    }

    @Test("ci.yml builds and tests on macOS too")
    func macOSJob() throws {
        let jobs = Tree.dictionary(try Self.load("ci.yml")["jobs"]).mapValues(Tree.dictionary)
        let mac = try #require(jobs.values.first { Tree.string($0["runs-on"])?.hasPrefix("macos-") == true }, "no macOS job")
        let commands = Tree.array(mac["steps"]).compactMap { Tree.string(Tree.dictionary($0)["run"]) }.joined(separator: "\n")
        #expect(commands.contains("swift build --build-tests"))
        #expect(commands.contains("swift test"))
    }

    static func jobs(_ file: String) throws -> [String: [String: Any]] {
        Tree.dictionary(try Self.load(file)["jobs"]).mapValues(Tree.dictionary)
    }

    /// A job's `run` commands, joined.
    static func commands(_ job: [String: Any]) -> String {
        Tree.array(job["steps"]).compactMap { Tree.string(Tree.dictionary($0)["run"]) }.joined(separator: "\n")
    }

    /// The `run` of a job's step whose name starts with `prefix`.
    static func step(_ job: [String: Any]?, named prefix: String) -> String? {
        Tree.array(job?["steps"]).map(Tree.dictionary).first { Tree.string($0["name"])?.hasPrefix(prefix) == true }
            .flatMap { Tree.string($0["run"]) }
    }

    @Test("release.yml: a version tag builds on four runners with scripts/build-release, runs each binary without Swift, then publishes")
    func releaseWorkflow() throws {
        let on = Self.triggers(try Self.load("release.yml"))
        #expect(Tree.array(Tree.value(on, at: "push.tags")).compactMap(Tree.string) == ["v*"])
        #expect(Tree.value(on, at: "push.branches") == nil && on["pull_request"] == nil, "releases come from tags only")
        let jobs = try Self.jobs("release.yml")
        var runners: [String] = []
        for name in ["linux", "macos"] {
            let job = try #require(jobs[name], "no \(name) job")
            runners += Tree.array(Tree.value(job, at: "strategy.matrix.include")).compactMap { Tree.string(Tree.dictionary($0)["runner"]) }
            let commands = Self.commands(job)
            #expect(commands.contains("scripts/build-release dist"), "\(name)")
            #expect(commands.contains("scripts/check-release-binary"), "\(name)")
            let lines = commands.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            for command in ["--version", "plan", "history --state-dir"] {
                #expect(lines.contains { $0.hasPrefix("env -i PATH=/usr/bin:/bin \"$") && $0.contains("\" \(command)") },
                        "\(name) does not run `\(command)` without a toolchain")
            }
            #expect(commands.contains("GITHUB_REF_NAME#v"), "\(name) must check that the tag names the version")
        }
        #expect(Set(runners) == ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-15", "macos-15-intel"])
        let publish = try #require(jobs["publish"])
        #expect(Tree.array(publish["needs"]).compactMap(Tree.string).sorted() == ["linux", "macos"])
        #expect(Tree.string(publish["if"]) == "github.event_name == 'push' && github.ref_type == 'tag'")
        let commands = Self.commands(publish)
        #expect(commands.contains("sha256sum --check") && commands.contains("gh release create"))
    }

    @Test("release.yml builds with the Swift the other workflows use: the test job's image on Linux, ci.yml's install on macOS")
    func releaseInstallsTheSameSwift() throws {
        let release = try Self.load("release.yml"), realCluster = try Self.load("real-cluster.yml")
        let version = try #require(Tree.string(Tree.value(release, at: "env.SWIFT_VERSION")))
        #expect(version == Tree.string(Tree.value(realCluster, at: "env.SWIFT_VERSION")))
        let ci = try Self.jobs("ci.yml")
        #expect(version == Tree.string(Tree.value(ci["macos"] ?? [:], at: "env.SWIFT_VERSION")))
        #expect(Tree.string(Tree.value(ci["test"] ?? [:], at: "container.image")) == "swift:\(version)-bookworm")

        let jobs = try Self.jobs("release.yml")
        // Linux builds in the image the test job runs in (Debian 12: the glibc the binary needs).
        #expect(Tree.string(Tree.value(jobs["linux"] ?? [:], at: "container.image")) == "swift:\(version)-bookworm")
        #expect(Self.step(jobs["linux"], named: "Install Swift") == nil, "the image has the toolchain")
        #expect(Self.step(jobs["macos"], named: "Install Swift") == Self.step(ci["macos"], named: "Install Swift"),
                "the macOS install differs from ci.yml's")
    }

    @Test("kind is downloaded with its published checksum, in the release pinned for the node image")
    func kindDownload() throws {
        let text = try Repository.read("\(Self.directory)/real-cluster.yml")
        let workflow = try Self.load("real-cluster.yml")
        let version = try #require(Tree.string(Tree.value(workflow, at: "env.KIND_VERSION")))
        #expect(version == "v0.33.0")
        #expect(text.contains("https://kind.sigs.k8s.io/dl/${KIND_VERSION}/kind-linux-amd64.sha256sum"))
        #expect(text.contains("sha256sum --check kind-linux-amd64.sha256sum"))
        let kindConfig = try Repository.read(KindConfig.path)
        #expect(kindConfig.contains("kind \(version) release notes"), "the kind config must name the kind release of its node image")
    }
}
