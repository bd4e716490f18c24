import Foundation
import ProvisionCore
import Testing
import TestSupport

/// `provision down` end to end against the fake tools.
@Suite("provision down")
struct DownCommandTests {
    @Test("down deletes the cluster, confirms it is gone, keeps the data directory and is recorded")
    func deletesAndConfirms() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: world.dataDirectory.path))
        try world.clearCalls()

        let result = try await world.run("down")
        #expect(result.exitCode == 0, "\(result)")
        // The step's note is said once, on its progress line.
        #expect(result.standardOutput.components(separatedBy: "deleted cluster `wrightnow`; confirmed it is gone").count == 2, "\(result)")
        #expect(result.standardOutput.contains("Kept the data directory \(world.dataDirectory.path)"))
        let calls = world.calls
        let delete = try #require(calls.firstIndex(of: "kind delete cluster --name wrightnow"), "\(calls)")
        #expect(calls[(delete + 1)...].contains("kind get clusters"), "the deletion is confirmed afterwards")
        #expect(FileManager.default.fileExists(atPath: world.dataDirectory.path))
        // The secrets belong to the kept data: they stay for the next up.
        #expect(FileManager.default.fileExists(atPath: world.secretsFile("redis-credentials").path))

        let recorded = try await world.lastRun()
        #expect(recorded.run.commandLine == ["provision", "down"])
        #expect(recorded.run.outcome == .succeeded)
        #expect(recorded.steps.map(\.label) == ["delete-cluster"])
        #expect(recorded.steps[0].state == .succeeded)

        // A second down finds nothing to delete and still succeeds.
        let again = try await world.run("down")
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.standardOutput.contains("did not exist"))
    }

    @Test("kind delete that leaves the cluster behind is a failure with exit 1")
    func deleteNotConfirmed() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        let result = try await world.run("down", environment: ["FAKE_KIND_DELETE_KEEPS": "1"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("still lists wrightnow") || result.standardError.contains("still exists"))
        let recorded = try await world.lastRun()
        #expect(recorded.run.outcome == .failed)
        #expect(recorded.steps.first?.state == .failed)
    }

    @Test("--purge-data without a terminal and without --yes refuses before touching anything")
    func purgeNeedsConfirmation() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        try world.clearCalls()
        let result = try await world.run("down", "--purge-data")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.standardError.contains("no terminal to confirm it"))
        #expect(result.standardError.contains("fix: add --yes"))
        #expect(world.calls.isEmpty, "\(world.calls)")
        #expect(FileManager.default.fileExists(atPath: world.dataDirectory.path))
        #expect(try await world.historyRuns().count == 1, "a refused down is not a run")
    }

    @Test("--purge-data --yes deletes the cluster and the data directory, recorded as a step")
    func purgeWithYes() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        let marker = world.dataDirectory.appending(path: "staging-infra/pgdata/PG_VERSION")
        try FileManager.default.createDirectory(
            at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "15\n".write(to: marker, atomically: true, encoding: .utf8)

        let result = try await world.run("down", "--purge-data", "--yes")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.standardOutput.components(separatedBy: "deleted the data directory \(world.dataDirectory.path)").count == 2, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: world.dataDirectory.path))
        #expect(world.calls.contains("kind delete cluster --name wrightnow"))
        let recorded = try await world.lastRun()
        #expect(recorded.steps.map(\.label) == ["delete-cluster", "purge-data"])
        #expect(recorded.steps.allSatisfy { $0.state == .succeeded })
    }

    @Test("--purge-data asks on a terminal: no keeps everything, yes deletes cluster and data",
          arguments: [("n", false), ("y", true)])
    func purgeConfirmationOnTerminal(answer: String, confirmed: Bool) async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        try world.clearCalls()
        // `script` gives provision a pseudo-terminal; the answer is typed into it.
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux `script` is needed for a pty")
        let binary = try #require(BuildProducts.provision)
        let result = try await ChildProcess.run(
            [script, "-qec", "\(binary.path) down --purge-data", "/dev/null"],
            environment: world.environment, workingDirectory: world.repository, input: Data("\(answer)\n".utf8),
            limit: 60)
        let output = result.standardOutput + result.standardError
        #expect(output.contains("Delete the cluster and all volume data in \(world.dataDirectory.path)?"))
        #expect(output.contains("[y/N]"))
        if confirmed {
            #expect(result.exitCode == 0, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: world.dataDirectory.path))
            #expect(world.calls.contains("kind delete cluster --name wrightnow"))
        } else {
            #expect(result.exitCode == 2, "\(result)")
            #expect(output.contains("nothing was deleted (not confirmed)"))
            #expect(FileManager.default.fileExists(atPath: world.dataDirectory.path))
            #expect(world.calls.isEmpty, "\(world.calls)")
        }
    }

    @Test("down on a cloud stub exits 3 with the stub message")
    func cloudStub() async throws {
        let world = try FakeWorld()
        let result = try await world.run("down", "--backend", "eks")
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.standardError.contains("the eks backend is not implemented yet"))
        #expect(world.calls.isEmpty)
        #expect(try await world.lastRun().run.outcome == .failed)
    }
}
