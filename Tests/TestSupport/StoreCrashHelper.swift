import Foundation
import ProvisionCore

/// `store-crash-helper` (Tests/StoreCrashHelper): a real process that opens the state store,
/// begins a run and never finishes it, for the tests of what a killed `provision up` leaves.
public enum StoreCrashHelper {
    /// `store-crash-helper` (Tests/StoreCrashHelper) is built next to the test bundle; it
    /// plays a `provision up` that never finishes.
    public static func executable() throws -> URL {
        guard let helper = BuildProducts.storeCrashHelper else {
            throw Problem(
                problem: "store-crash-helper is missing next to the test bundle",
                fix: "build it first (`swift build --build-tests`) or set PROVISION_CRASH_HELPER")
        }
        return helper
    }

    /// Starts the helper and waits until it reports the run id.
    public static func start(store: URL, cluster: String) async throws -> (ChildProcess, RunID) {
        let process = try ChildProcess([try executable().path, store.path, cluster])
        // Event-based (its first line, or its exit); the deadline only stops a hang. Generous:
        // starting a process that opens SQLite can take seconds on a loaded 2-core machine.
        let deadline = Date().addingTimeInterval(180)
        var text = process.standardOutput
        while !text.contains("\n") && process.isRunning && Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
            text = process.standardOutput
        }
        text = process.standardOutput
        guard text.hasPrefix("ready "), let id = Int64(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.stop()
            throw Problem(
                problem: "crash helper did not start: \(text)\(process.standardError)", fix: "run it by hand to see why")
        }
        return (process, RunID(id))
    }

    /// A run as `provision up --backend kind` begins it, for tests that need one.
    public static func newRun(cluster: String = "wrightnow") -> NewRun {
        NewRun(
            commandLine: ["provision", "up", "--backend", "kind"], backend: "kind", cluster: cluster,
            toolVersion: "0.1.0", manifestsRevision: "abc1234")
    }
}
