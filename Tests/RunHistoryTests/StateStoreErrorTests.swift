import Foundation
@testable import RunHistory
import Testing
@testable import ProvisionCore

/// Store errors carry their problem and fix apart, with the texts of release 0.1.0.
@Suite("StoreError")
struct StateStoreErrorTests {
    @Test func errorsSplitIntoProblemAndFix() throws {
        let holder = RunRecord(
            id: RunID(7), commandLine: ["provision", "up"], backend: "kind", cluster: "wrightnow",
            startedAt: Date(timeIntervalSince1970: 1_800_000_000), endedAt: nil, outcome: .running, error: nil,
            toolVersion: "0.1.0", manifestsRevision: nil, pid: 4242, processStartTime: nil)
        // The texts of release 0.1.0, whole.
        let expected: [(StoreError, String)] = [
            (
                .unreadable(path: "/s/state.sqlite", reason: "file is not a database"),
                "the state database /s/state.sqlite is not readable: file is not a database\n"
                    + "  fix: move the file aside (`mv /s/state.sqlite /s/state.sqlite.broken`) to start a new history, "
                    + "or point PROVISION_STATE_DIR / --state-dir at another directory"
            ),
            (
                .cannotOpen(path: "/s/state.sqlite", reason: "permission denied"),
                "cannot open the state database /s/state.sqlite: permission denied\n"
                    + "  fix: make sure the directory exists and is writable, "
                    + "or point PROVISION_STATE_DIR / --state-dir at a writable directory"
            ),
            (
                .newerSchema(path: "/s/state.sqlite", unknownMigrations: ["v2: a", "v3: b"]),
                "the state database /s/state.sqlite was written by a newer provision (unknown migrations: v2: a, v3: b)\n"
                    + "  fix: use the newer provision, or point PROVISION_STATE_DIR / --state-dir at another directory"
            ),
            (
                .clusterBusy(cluster: "wrightnow", holder: holder),
                "cluster `wrightnow` is busy: run #7 (pid 4242, started 2027-01-15T08:00:00Z) is still working on it: "
                    + "provision up\n"
                    + "  fix: wait for it to finish or stop it (kill 4242), then try again"
            ),
            (
                .notFound("step 9"),
                "step 9 does not exist in the state database\n  fix: list the runs with `provision history`"
            ),
            (
                .database(path: "/s/state.sqlite", reason: "disk I/O error"),
                "the state database /s/state.sqlite failed: disk I/O error\n"
                    + "  fix: check free disk space and permissions of the file; if it persists, move the file aside"
            ),
        ]
        for (error, text) in expected {
            #expect(error.description == text)
            #expect(error.description == "\(error.problem)\n  fix: \(error.fix)")
            #expect(!error.problem.contains("\n") && !error.fix.contains("\n"))
        }
    }
}
