import Foundation
import RunHistory
import TestSupport
import Testing

/// A broken history database is reported with its path and a fix, never reset.
@Suite("state store errors")
struct StateStoreErrorTests {
    @Test("a corrupt state.sqlite gives exit 5 with the path and the fix, and is left as it was")
    func corruptDatabase() async throws {
        let world = try FakeWorld()
        try FileManager.default.createDirectory(at: world.stateDirectory, withIntermediateDirectories: true)
        let database = StateStore.file(in: world.stateDirectory)
        let garbage = Data(repeating: 0x5A, count: 8192)
        try garbage.write(to: database)

        let history = try await world.provision("history")
        #expect(history.exitCode == 5, "\(history)")
        #expect(history.standardError.contains("error: the state database \(database.path) is not readable"))
        #expect(history.standardError.contains("fix: move the file aside"))

        let up = try await world.provision("up")
        #expect(up.exitCode == 5, "\(up)")
        #expect(world.calls.isEmpty, "nothing may run without a history to record it in: \(world.calls)")
        #expect(try Data(contentsOf: database) == garbage)
    }
}
