import Foundation
import ProvisionCore
import Testing
import TestSupport

/// scripts/k8s-setup.sh, k8s-deploy.sh and k8s-teardown.sh: the entry points the original task
/// list names (tasks 9.1-9.3, checks 11.2, 11.5, 11.6), as thin wrappers over `provision`.
/// Run here against the fake kind, kubectl, docker and curl, with the built provision on PATH.
@Suite("The task list's k8s-*.sh entry points")
struct SeedScriptTests {
    static let scripts = ["k8s-setup.sh", "k8s-deploy.sh", "k8s-teardown.sh"]
    /// What each wrapper runs: the provision arguments, and the tool it checks first.
    static let expected: [String: (command: [String], tool: String)] = [
        "k8s-setup.sh": (["up", "--backend", "kind", "--only", "edge"], "kind"),
        "k8s-deploy.sh": (["up", "--backend", "kind"], "kubectl"),
        "k8s-teardown.sh": (["down"], "kind"),
    ]

    /// A fake world whose repository copy also holds the scripts.
    static func world(missingTools: [String] = []) throws -> FakeWorld {
        let world = try FakeWorld(missingTools: missingTools)
        let scripts = world.repository.appending(path: "scripts")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        for name in Self.scripts + ["k8s-common.sh"] {
            try ExecutableFile.copy(Repository.file("scripts/\(name)"), to: scripts.appending(path: name))
        }
        return world
    }

    /// Runs a wrapper from a directory other than the repository, with provision on PATH.
    static func run(_ script: String, _ arguments: [String] = [], in world: FakeWorld,
                    environment extra: [String: String] = [:]) async throws -> ProcessResult {
        let provision = try #require(BuildProducts.provision, "build provision first (swift build)")
        var environment = world.environment
        environment["PATH"] = provision.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        for (key, value) in extra { environment[key] = value }
        return try await ChildProcess.run(
            [world.repository.appending(path: "scripts/\(script)").path] + arguments,
            environment: environment, workingDirectory: world.root, limit: 120)
    }

    @Test("setup creates the cluster and installs the edge, deploy adds the stack, teardown confirms the cluster is gone")
    func lifecycle() async throws {
        let world = try Self.world()

        let setup = try await Self.run("k8s-setup.sh", in: world)
        #expect(setup.exitCode == 0, "\(setup)")
        #expect(world.calls.contains { $0.hasPrefix("kind create cluster --name wrightnow") })
        #expect(world.events.contains("ready deployment/nginx-gateway"), "\(world.events)")
        #expect(world.events.contains { $0.hasPrefix("applied Gateway/") }, "\(world.events)")
        #expect(!world.events.contains { $0.hasPrefix("applied HTTPRoute/") }, "setup must not deploy the stack")
        var runs = try await world.historyRuns()
        #expect(runs.first?.commandLine == ["provision"] + Self.expected["k8s-setup.sh"]!.command)

        try world.clearCalls()
        let deploy = try await Self.run("k8s-deploy.sh", in: world)
        #expect(deploy.exitCode == 0, "\(deploy)")
        #expect(!world.calls.contains { $0.hasPrefix("kind create cluster") }, "deploy reuses the cluster")
        #expect(world.events.contains { $0.hasPrefix("applied HTTPRoute/") })
        #expect(deploy.standardOutput.contains("http://localhost/auth/"))
        runs = try await world.historyRuns()
        #expect(runs.first?.commandLine == ["provision"] + Self.expected["k8s-deploy.sh"]!.command)

        try world.clearCalls()
        let teardown = try await Self.run("k8s-teardown.sh", in: world)
        #expect(teardown.exitCode == 0, "\(teardown)")
        let calls = world.calls
        let delete = try #require(calls.firstIndex(of: "kind delete cluster --name wrightnow"), "\(calls)")
        #expect(calls[(delete + 1)...].contains("kind get clusters"), "the deletion is confirmed")
        #expect(teardown.standardOutput.contains("confirmed it is gone"))
        runs = try await world.historyRuns()
        #expect(runs.first?.commandLine == ["provision"] + Self.expected["k8s-teardown.sh"]!.command)
        #expect(runs.count == 3)
    }

    @Test("each stops with exit code 3 when its tool is missing, before provision runs", arguments: scripts)
    func missingTool(_ script: String) async throws {
        let tool = Self.expected[script]!.tool
        let world = try Self.world(missingTools: [tool])
        let result = try await Self.run(script, in: world)
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.standardError.contains("\(script): \(tool) not found on PATH"), "\(result)")
        #expect(world.calls.isEmpty, "\(world.calls)")
    }

    @Test("provision's exit code is the script's: a failed cluster creation, a bad option")
    func exitCodePassesThrough() async throws {
        let world = try Self.world()
        let failed = try await Self.run("k8s-setup.sh", in: world, environment: ["FAKE_KIND_CREATE_FAIL": "1"])
        #expect(failed.exitCode == 1, "\(failed)")
        #expect(failed.standardError.contains("port is already allocated") || failed.standardError.contains("80"), "\(failed)")
        let usage = try await Self.run("k8s-deploy.sh", ["--no-such-option"], in: world)
        #expect(usage.exitCode == 2, "\(usage)")
        let extra = try await Self.run("k8s-teardown.sh", ["--purge-data"], in: world)
        #expect(extra.exitCode == 2, "without a terminal or --yes, down --purge-data refuses: \(extra)")
    }

    @Test("the scripts are executable in git", arguments: scripts)
    func executableInGit(_ script: String) async throws {
        let listed = try await ChildProcess.run(["git", "-C", Repository.root.path, "ls-files", "-s", "scripts/\(script)"])
        #expect(listed.standardOutput.hasPrefix("100755 "), "git update-index --chmod=+x scripts/\(script): \(listed.description)")
    }

    /// Thin: no kind, kubectl or docker commands of their own, one provision command each.
    @Test("the scripts only pick a provision command", arguments: scripts)
    func thin(_ script: String) throws {
        let lines = try Repository.read("scripts/\(script)").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let (command, tool) = Self.expected[script]!
        #expect(lines == [
            "set -eu",
            #"K8S_REPOSITORY=$(cd "$(dirname "$0")/.." && pwd)"#,
            #". "$K8S_REPOSITORY/scripts/k8s-common.sh""#,
            "k8s_require \(tool)",
            "k8s_provision \(command.joined(separator: " ")) \"$@\"",
        ])
    }
}
