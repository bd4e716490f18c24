import Foundation
import GRDB
@testable import RunHistory
import Testing
@testable import ProvisionCore

/// What each deploy step applied: kept compressed once per digest, with change counts.
@Suite("StateStore manifests")
struct StateStoreManifestTests {
    static func run(_ store: StateStore, cluster: String = "wrightnow") throws -> RunID {
        let run = try store.beginRun(NewRun(
            commandLine: ["provision", "up"], backend: "kind", cluster: cluster, toolVersion: "test",
            manifestsRevision: nil, user: "dev", host: "laptop"))
        return run
    }

    static func apply(_ store: StateStore, run: RunID, _ objects: [(String, String)]) throws -> StepRecord {
        let step = try store.addStep(run: run, component: "redis", action: .deploy)
        let body = objects.map { "kind: \($0.0)\nname: \($0.1)\n" }.joined(separator: "---\n")
        try store.recordApplied(step, AppliedManifest(
            body: body,
            objects: objects.map { AppliedObject(reference: $0.0, digest: SHA256.hexDigest(of: $0.1)) },
            secrets: [SecretKeys(namespace: "staging-infra", name: "redis-credentials", keys: ["REDIS_PASSWORD"])]))
        try store.markStep(step, .succeeded)
        try store.finishRun(run, outcome: .succeeded)
        return try #require(try store.steps(of: run).first)
    }

    @Test func countsAreAgainstTheComponentsPreviousApplyOnTheSameCluster() throws {
        let store = try StateStore(writer: DatabaseQueue())
        let first = try Self.apply(store, run: Self.run(store), [("Deployment/redis", "v1"), ("Service/redis", "v1")])
        #expect([first.created, first.changed, first.unchanged] == [2, 0, 0])
        let second = try Self.apply(
            store, run: Self.run(store), [("Deployment/redis", "v2"), ("Service/redis", "v1"), ("PVC/redis", "v1")])
        #expect([second.created, second.changed, second.unchanged] == [1, 1, 1])
        // Another cluster's history does not count.
        let elsewhere = try Self.apply(store, run: Self.run(store, cluster: "other"), [("Deployment/redis", "v2")])
        #expect([elsewhere.created, elsewhere.changed, elsewhere.unchanged] == [1, 0, 0])
        #expect(try store.changes(of: [second.runID])[second.runID] == ChangeCounts(created: 1, changed: 1, unchanged: 1))
        #expect(second.secrets == [SecretKeys(namespace: "staging-infra", name: "redis-credentials", keys: ["REDIS_PASSWORD"])])
        let run = try #require(try store.run(second.runID))
        #expect(run.user == "dev" && run.host == "laptop")
    }

    @Test func theSameBytesAreKeptOnceAndComeBackExactly() throws {
        let store = try StateStore(writer: DatabaseQueue())
        let a = try Self.apply(store, run: Self.run(store), [("Deployment/redis", "v1")])
        let b = try Self.apply(store, run: Self.run(store), [("Deployment/redis", "v1")])
        #expect(a.digest == b.digest)
        #expect(try store.manifest(digest: a.digest!) == "kind: Deployment/redis\nname: v1\n")
        let (rows, bytes) = try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM manifest")!, try Int.fetchOne(db, sql: "SELECT length(body) FROM manifest")!)
        }
        #expect(rows == 1)
        #expect(bytes > 0)
        #expect(try store.manifest(digest: String(repeating: "0", count: 64)) == nil)
    }

    @Test func largeManifestsAreStoredCompressed() throws {
        let store = try StateStore(writer: DatabaseQueue())
        let body = String(repeating: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n---\n", count: 200)
        let step = try store.addStep(run: Self.run(store), component: "redis", action: .deploy)
        try store.recordApplied(step, AppliedManifest(body: body, objects: [], secrets: []))
        let stored = try store.read { db in try Int.fetchOne(db, sql: "SELECT length(body) FROM manifest")! }
        #expect(stored * 10 < body.utf8.count, "\(stored) bytes stored for \(body.utf8.count)")
        #expect(try store.manifest(digest: SHA256.hexDigest(of: body)) == body)
    }

    /// The step table's object-list column of each step of `run` (NULL once v4 keeps them with the manifest).
    static func stepColumns(_ store: StateStore, run: RunID) throws -> [String?] {
        try store.read { db in try String?.fetchAll(db, sql: "SELECT objects FROM step WHERE runId = ? ORDER BY id", arguments: [run]) }
    }

    @Test func theObjectListIsKeptOncePerDigestAndReadBackWithEachStep() throws {
        let store = try StateStore(writer: DatabaseQueue())
        let objects = [("Deployment/redis", "v1"), ("Service/redis", "v1")]
        let a = try Self.apply(store, run: Self.run(store), objects)
        let b = try Self.apply(store, run: Self.run(store), objects)
        let expected = objects.map { AppliedObject(reference: $0.0, digest: SHA256.hexDigest(of: $0.1)) }
        #expect(a.objects == expected && b.objects == expected)
        #expect(try Self.stepColumns(store, run: a.runID) == [nil] && Self.stepColumns(store, run: b.runID) == [nil])
        let lists = try store.read { db in try String?.fetchAll(db, sql: "SELECT objects FROM manifest") }
        #expect(lists.count == 1 && lists.first??.contains("Service") == true, "\(lists)")
        #expect([b.created, b.changed, b.unchanged] == [0, 0, 2])
    }

    @Test func aStoreOfMigrationV3KeepsItsObjectListsThroughV4() throws {
        let queue = try DatabaseQueue()
        try StateStore.migrator.migrate(queue, upTo: "v3: what was applied, by whom")
        // As the v3 release wrote a deploy step: the object list on the step, the bytes once.
        let body = "kind: Deployment\nname: redis\n"
        let list = #"[{"reference":"Deployment/staging-infra/redis","digest":"d1"}]"#
        let digest = SHA256.hexDigest(of: body)
        let compressed = try Compression.compress(Data(body.utf8))
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO run (commandLine, backend, cluster, startedAt, endedAt, outcome, toolVersion, pid)
                VALUES ('["provision","up"]', 'kind', 'wrightnow', '2026-11-30 10:00:00.000', '2026-11-30 10:01:00.000', 'succeeded', '0.1.0', 1);
                INSERT INTO step (runId, component, action, state, digest, objects, created, changed, unchanged, secrets)
                VALUES (1, 'redis', 'deploy', 'succeeded', ?, ?, 1, 0, 0, '[]');
                INSERT INTO manifest (digest, size, body) VALUES (?, ?, ?);
                """, arguments: [digest, list, digest, body.utf8.count, compressed])
        }

        let store = try StateStore(writer: queue)
        #expect(try store.appliedMigrations() == StateStoreTests.migrations)
        let step = try #require(try store.steps(of: RunID(1)).first)
        #expect(step.objects == [AppliedObject(reference: "Deployment/staging-infra/redis", digest: "d1")])
        #expect([step.created, step.changed, step.unchanged] == [1, 0, 0])
        #expect(try Self.stepColumns(store, run: RunID(1)) == [nil], "moved to the manifest row")
        #expect(try store.changes(of: [RunID(1)])[RunID(1)] == ChangeCounts(created: 1))
        #expect(try store.lastAppliedDigests(cluster: "wrightnow", components: ["redis"]) == ["redis": digest])
        // The next apply counts against the migrated one.
        let next = try Self.apply(store, run: Self.run(store), [("Deployment/staging-infra/redis", "v2")])
        #expect([next.created, next.changed, next.unchanged] == [0, 1, 0])
    }
}
