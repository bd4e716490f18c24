import Foundation
import GRDB
import RunHistory
import Testing
import TestSupport
@testable import ProvisionCore

@Suite("Deployer")
struct DeployerTests {
    let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: URL(fileURLWithPath: "/repo/k8s"), overlay: "local")
    let invocation = RunInvocation(commandLine: ["provision", "up"], toolVersion: "0.1.0", manifestsRevision: "abc1234")
    /// db and cache are independent; app needs both.
    let plan = try! Plan(components: [
        TestComponent("db"), TestComponent("cache"), TestComponent("app", dependsOn: ["db", "cache"]),
    ])

    func deployer(
        _ backend: FakeBackend, store: StateStore, options: DeployOptions = .init(readinessTimeout: .seconds(42)),
        events: Recorder<[ProgressEvent]> = Recorder([])
    ) -> Deployer {
        Deployer(provider: backend, deployment: backend, store: store, options: options) { event in events.update { $0.append(event) } }
    }

    @Test func successfulUpRecordsEveryStep() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let warning = PreflightWarning(problem: "inotify max_user_watches is 8192", fix: "raise it to 524288")
        let backend = FakeBackend(.init(warnings: [warning]))
        let events = Recorder<[ProgressEvent]>([])

        let report = try await deployer(backend, store: store, events: events)
            .up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.succeeded)
        #expect(report.problem == nil)
        #expect(report.toolVersions == [ToolVersion(tool: "fake", version: "1.0")])
        let run = try #require(try store.run(report.runID))
        #expect(run.outcome == .succeeded)
        #expect(run.endedAt != nil)
        #expect(run.backend == "fake")
        #expect(run.cluster == "wrightnow")
        #expect(run.commandLine == ["provision", "up"])
        #expect(run.manifestsRevision == "abc1234")

        let steps = try store.steps(of: report.runID)
        #expect(steps == report.steps)
        #expect(steps.map(\.label) == ["preflight", "create-cluster", "deploy cache", "deploy db", "deploy app"])
        #expect(steps.allSatisfy { $0.state == .succeeded && $0.startedAt != nil && $0.endedAt != nil })
        #expect(steps[0].note?.contains("will be created") == true)
        #expect(steps[0].note?.contains("inotify max_user_watches") == true)
        #expect(steps[1].note == "created cluster `wrightnow`")
        let ids: [ComponentID] = ["cache", "db", "app"]
        let digests: [String?] = ids.map { (id: ComponentID) -> String? in SHA256.hexDigest(of: FakeBackend.manifest(of: id)) }
        #expect(Array(steps[2...].map(\.digest)) == digests)
        // What was applied is kept, with its objects and change counts (all new on a first run).
        #expect(try store.manifest(digest: steps[3].digest!) == FakeBackend.manifest(of: "db"))
        #expect(steps[3].objects?.map(\.reference) == ["Deployment/apps/db", "Service/apps/db"])
        #expect([steps[3].created, steps[3].changed, steps[3].unchanged] == [2, 0, 0])
        #expect(try store.run(report.runID)?.tools == ["fake 1.0"])
        #expect(steps[4].note == "applied 2 objects")

        let calls = backend.calls.value
        #expect(calls.first == "preflight creating=true")
        #expect(calls.contains("ready db within 42 s"))
        // app is applied only after both of its dependencies passed their smoke checks.
        let applyApp = try #require(calls.firstIndex(of: "apply app"))
        #expect(try #require(calls.firstIndex(of: "smoke db")) < applyApp)
        #expect(try #require(calls.firstIndex(of: "smoke cache")) < applyApp)

        let log = events.value
        #expect(log.contains { if case .warning(warning) = $0 { true } else { false } })
        #expect(log.filter { if case .stepStarted = $0 { true } else { false } }.count == 5)
        #expect(log.filter { if case .stepFinished(_, .succeeded, _, _) = $0 { true } else { false } }.count == 5)
        if case .runFinished(report.runID, .succeeded)? = log.last {} else { Issue.record("last event: \(String(describing: log.last))") }

        // Running again reuses the cluster.
        let again = try await deployer(backend, store: store).up(cluster: cluster, plan: plan, invocation: invocation)
        #expect(again.succeeded)
        #expect(again.steps[1].note == "reused cluster `wrightnow`")
        #expect(backend.calls.value.filter { $0.hasPrefix("preflight") }.last == "preflight creating=false")
    }

    @Test func failedComponentSkipsDependentsAndFailsTheRun() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(.init(failReady: ["db"]))

        let report = try await deployer(backend, store: store).up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.outcome == .failed)
        #expect(report.problem?.kind == .stepFailed)
        #expect(report.problem?.problem.hasPrefix("deploying `db` failed: ") == true)
        let run = try #require(try store.run(report.runID))
        #expect(run.outcome == .failed)
        #expect(run.error?.contains("deploying `db` failed") == true)
        #expect(run.error?.contains("db did not become ready") == true)
        let steps = Dictionary(uniqueKeysWithValues: try store.steps(of: report.runID).map { ($0.label, $0) })
        #expect(steps["preflight"]?.state == .succeeded)
        #expect(steps["deploy db"]?.state == .failed)
        #expect(steps["deploy db"]?.error?.contains("fix: look at its pods") == true)
        // What was applied before readiness failed is still recorded.
        #expect(steps["deploy db"]?.digest == SHA256.hexDigest(of: FakeBackend.manifest(of: "db")))
        #expect(steps["deploy cache"]?.state == .succeeded)
        #expect(steps["deploy app"]?.state == .skipped)
        #expect(steps["deploy app"]?.error == "not started because `db` did not succeed")
        #expect(!backend.calls.value.contains("apply app"))
    }

    @Test func stubBackendFailsAtPreflightAndIsRecordedAsFailed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let stub = Problem(
            .notImplemented, problem: "the gke backend is not implemented yet",
            fix: "follow docs/kubernetes-setup.md#gke to create the cluster by hand")
        let backend = FakeBackend(.init(name: "gke", preflightError: stub))

        let report = try await deployer(backend, store: store).up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.outcome == .failed)
        #expect(report.problem?.kind == .notImplemented)
        let run = try #require(try store.run(report.runID))
        #expect(run.outcome == .failed)
        #expect(run.backend == "gke")
        #expect(run.error == String(describing: stub))
        let steps = try store.steps(of: report.runID)
        #expect(steps.map(\.state) == [.failed, .skipped, .skipped, .skipped, .skipped])
        #expect(steps[0].error?.contains("not implemented yet") == true)
        #expect(steps[1].error == "not started because an earlier step failed")
        #expect(backend.calls.value == ["preflight creating=true"])
    }

    @Test func cancellationDuringAComponentIsRecordedAsInterrupted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(.init(hangInApply: ["db"]))
        let deployer = deployer(backend, store: store, options: .init(maxConcurrency: 1))
        let plan = plan
        let cluster = cluster
        let invocation = invocation

        let task = Task { try await deployer.up(cluster: cluster, plan: plan, invocation: invocation) }
        #expect(await backend.hanging.wait())
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }

        let run = try #require(try store.runs().first)
        #expect(run.outcome == .interrupted)
        #expect(run.endedAt != nil)
        let steps = Dictionary(uniqueKeysWithValues: try store.steps(of: run.id).map { ($0.label, $0) })
        #expect(steps["preflight"]?.state == .succeeded)
        #expect(steps["create-cluster"]?.state == .succeeded)
        #expect(steps["deploy cache"]?.state == .succeeded)  // ran first (order cache, db, app)
        #expect(steps["deploy db"]?.state == .interrupted)
        #expect(steps["deploy app"]?.state == .skipped)
        #expect(steps["deploy app"]?.error == "not started: the run was interrupted")
        #expect(try store.steps(of: run.id).allSatisfy(\.state.isFinal))
        // The cluster is free for the next run.
        _ = try store.beginRun(StoreCrashHelper.newRun())
    }

    @Test func cancellationDuringPreflightIsRecordedAsInterrupted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(.init(hangInPreflight: true))
        let deployer = deployer(backend, store: store)
        let (plan, cluster, invocation) = (plan, cluster, invocation)

        let task = Task { try await deployer.up(cluster: cluster, plan: plan, invocation: invocation) }
        #expect(await backend.hanging.wait())
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }

        let run = try #require(try store.runs().first)
        #expect(run.outcome == .interrupted)
        let steps = try store.steps(of: run.id)
        #expect(steps.map(\.state) == [.interrupted, .skipped, .skipped, .skipped, .skipped])
    }

    @Test func stepTimeoutFailsTheStepWithAClearMessage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(.init(hangInApply: ["cache"]))
        let options = DeployOptions(stepTimeout: .milliseconds(300))

        let report = try await deployer(backend, store: store, options: options)
            .up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.outcome == .failed)
        let steps = Dictionary(uniqueKeysWithValues: report.steps.map { ($0.label, $0) })
        #expect(steps["deploy cache"]?.state == .failed)
        #expect(steps["deploy cache"]?.error?.contains("timed out") == true)
        #expect(steps["deploy db"]?.state == .succeeded)
        #expect(steps["deploy app"]?.state == .skipped)
    }

    @Test func secondDeployOnABusyClusterIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let busy = FakeBackend(.init(hangInApply: ["db"]))
        let first = deployer(busy, store: store)
        let (plan, cluster, invocation) = (plan, cluster, invocation)
        let task = Task { try await first.up(cluster: cluster, plan: plan, invocation: invocation) }
        #expect(await busy.hanging.wait())

        let other = FakeBackend()
        await #expect {
            _ = try await deployer(other, store: try StateStore(url: directory.storeURL))
                .up(cluster: cluster, plan: plan, invocation: invocation)
        } throws: { error in
            guard case StoreError.clusterBusy(let name, _) = error else { return false }
            return name == "wrightnow"
        }
        #expect(other.calls.value.isEmpty)
        #expect(try store.runs().count == 1)

        task.cancel()
        _ = try? await task.value
    }

    @Test func downDeletesTheClusterAndConfirmsItIsGone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(.init(clusterExists: true))

        let report = try await deployer(backend, store: store).down(cluster: cluster, invocation: invocation)

        #expect(report.succeeded)
        #expect(!backend.exists.value)
        #expect(backend.calls.value == ["deleteCluster wrightnow"])
        #expect(report.steps.map(\.label) == ["delete-cluster"])
        #expect(report.steps[0].state == .succeeded)
        #expect(report.steps[0].note == "deleted cluster `wrightnow`; confirmed it is gone")

        let again = try await deployer(backend, store: store).down(cluster: cluster, invocation: invocation)
        #expect(again.succeeded)
        #expect(again.steps[0].note == "cluster `wrightnow` did not exist; nothing to delete")
    }

    @Test func purgeDataIsAStepOfDownAfterTheClusterIsGone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let data = directory.url.appending(path: "data/pgdata")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try "15".write(to: data.appending(path: "PG_VERSION"), atomically: true, encoding: .utf8)
        let backend = FakeBackend(.init(clusterExists: true, dataDirectory: directory.url.appending(path: "data")))

        let report = try await deployer(backend, store: store)
            .down(cluster: cluster, purgeData: true, invocation: invocation)

        #expect(report.succeeded)
        #expect(report.steps.map(\.label) == ["delete-cluster", "purge-data"])
        #expect(report.steps.map(\.state) == [.succeeded, .succeeded])
        #expect(report.steps[1].note == "deleted the data directory \(directory.url.appending(path: "data").path)")
        #expect(!FileManager.default.fileExists(atPath: data.path))

        // A cluster that survives its deletion keeps its data: purge-data is skipped.
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let surviving = FakeBackend(.init(
            clusterExists: true, deleteLeavesCluster: true, dataDirectory: directory.url.appending(path: "data")))
        let failed = try await deployer(surviving, store: store)
            .down(cluster: cluster, purgeData: true, invocation: invocation)
        #expect(failed.outcome == .failed)
        #expect(failed.steps.map(\.state) == [.failed, .skipped])
        #expect(FileManager.default.fileExists(atPath: data.path))
    }

    @Test func downFailsWhenTheClusterSurvives() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(.init(clusterExists: true, deleteLeavesCluster: true))

        let report = try await deployer(backend, store: store).down(cluster: cluster, invocation: invocation)

        #expect(report.outcome == .failed)
        #expect(report.problem?.kind == .stepFailed)
        #expect(report.steps[0].state == .failed)
        #expect(report.steps[0].error?.contains("still exists after deleting it") == true)
        #expect(try store.run(report.runID)?.outcome == .failed)
    }

    @Test func longStepsSendStillRunningNotices() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try StateStore(url: directory.storeURL)
        let backend = FakeBackend(.init(gatedApply: ["db"]))
        let notices = Recorder<[String]>([])
        // db's apply finishes only after a notice about it arrived.
        let deployer = Deployer(
            provider: backend, deployment: backend, store: store, options: DeployOptions(noticeInterval: .milliseconds(20))
        ) { event in
            if case .stillRunning(let label, let elapsed) = event {
                notices.update { $0.append(label.description) }
                if label.description == "deploy db", elapsed > .zero { backend.gate.fire() }
            }
        }

        let report = try await deployer.up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.succeeded)
        #expect(notices.value.contains("deploy db"))
    }

    @Test func abandonedRunsAreRecoveredAndReported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (helper, abandoned) = try await StoreCrashHelper.start(
            store: directory.storeURL, cluster: "wrightnow")
        helper.signal(SIGKILL)
        _ = await helper.wait(limit: 30)
        let store = try StateStore(url: directory.storeURL)
        let events = Recorder<[ProgressEvent]>([])

        let report = try await deployer(FakeBackend(), store: store, events: events)
            .up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.succeeded)
        let recovered = events.value.compactMap { event -> RunRecord? in
            if case .recoveredAbandonedRun(let run) = event { run } else { nil }
        }
        #expect(recovered.map(\.id) == [abandoned])
        #expect(recovered.first?.outcome == .interrupted)
        #expect(try store.run(abandoned)?.outcome == .interrupted)
    }
}

@Suite("Deployer on a cluster it did not create")
struct DeployerRemovalTests {
    let cluster = ClusterSpec(name: "team", manifestsRoot: URL(fileURLWithPath: "/repo/k8s"), overlay: "cluster")
    let invocation = RunInvocation(commandLine: ["provision", "down"], toolVersion: "0.1.0")
    /// db and cache are independent; app needs both; web needs app.
    let plan = try! Plan(components: [
        TestComponent("db"), TestComponent("cache"), TestComponent("app", dependsOn: ["db", "cache"]),
        TestComponent("web", dependsOn: ["app"]),
    ])

    @Test func downRemovesDependentsFirstAndKeepsDataByDefault() async throws {
        let store = try StateStore(writer: DatabaseQueue())
        let backend = FakeBackend(.init(clusterExists: true, ownsCluster: false))
        let report = try await Deployer(provider: backend, deployment: backend, store: store)
            .down(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.succeeded)
        #expect(!backend.calls.value.contains { $0.hasPrefix("deleteCluster") })
        let removed = backend.calls.value.filter { $0.hasPrefix("remove") }
        #expect(removed.allSatisfy { $0.hasSuffix("keepingData=true") })
        func position(_ id: String) -> Int { removed.firstIndex { $0.hasPrefix("remove \(id) ") }! }
        #expect(position("web") < position("app"))
        #expect(position("app") < position("db") && position("app") < position("cache"))
        #expect(report.steps.map(\.action) == Array(repeating: .remove, count: 4))
        #expect(report.steps.allSatisfy { $0.state == .succeeded && $0.note?.hasPrefix("deleted ") == true })
        #expect(try store.run(report.runID)?.context == "fake-team")
    }

    @Test func aFailedRemovalLeavesWhatItDependsOn() async throws {
        let store = try StateStore(writer: DatabaseQueue())
        let backend = FakeBackend(.init(clusterExists: true, ownsCluster: false, failRemove: ["app"]))
        let report = try await Deployer(provider: backend, deployment: backend, store: store)
            .down(cluster: cluster, plan: plan, purgeData: true, invocation: invocation)

        #expect(report.outcome == .failed)
        #expect(report.problem?.problem.contains("app did not go away") == true)
        let states = Dictionary(uniqueKeysWithValues: report.steps.map { ($0.component!.rawValue, $0.state) })
        #expect(states == ["web": .succeeded, "app": .failed, "db": .skipped, "cache": .skipped])
        #expect(backend.calls.value.filter { $0.hasPrefix("remove") }
            == ["remove web keepingData=false", "remove app keepingData=false"])
    }

    @Test func aComponentTheOverlayHasNothingForIsSkippedAndItsDependentsGoOn() async throws {
        let store = try StateStore(writer: DatabaseQueue())
        let backend = FakeBackend(.init(clusterExists: true, emptyApply: ["cache"]))
        let report = try await Deployer(provider: backend, deployment: backend, store: store)
            .up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.succeeded)
        let cache = try #require(report.steps.first { $0.component == "cache" })
        #expect(cache.state == .skipped)
        #expect(cache.note == "nothing to deploy: overlay `cluster` has no objects of this component")
        #expect(!backend.calls.value.contains("ready cache within 300 s"))
        #expect(!backend.calls.value.contains("smoke cache"))
        #expect(backend.calls.value.contains("apply web"))
        #expect(try store.run(report.runID)?.context == "fake-team")
    }

    /// The components' objects, text and digest are worked out once per run and handed to
    /// every step that needs them; a second preparation would mean a second render.
    @Test func eachComponentIsPreparedOncePerRun() async throws {
        let store = try StateStore(writer: DatabaseQueue())
        let backend = FakeBackend(.init(clusterExists: true, ownsCluster: false))
        let deployer = Deployer(provider: backend, deployment: backend, store: store)
        #expect(try await deployer.up(cluster: cluster, plan: plan, invocation: invocation).succeeded)
        #expect(backend.prepared.value.sorted() == plan.order.sorted())
        #expect(backend.calls.value.filter { $0.hasPrefix("smoke ") }.count == plan.order.count)

        backend.prepared.update { $0 = [] }
        #expect(try await deployer.down(cluster: cluster, plan: plan, invocation: invocation).succeeded)
        #expect(backend.prepared.value.sorted() == plan.order.sorted())
    }

    @Test func aComponentThatCannotBePreparedFailsOnlyItsOwnStep() async throws {
        let store = try StateStore(writer: DatabaseQueue())
        let backend = FakeBackend(.init(failPrepare: ["cache"]))
        let report = try await Deployer(provider: backend, deployment: backend, store: store)
            .up(cluster: cluster, plan: plan, invocation: invocation)

        #expect(report.outcome == .failed)
        #expect(report.problem?.problem == "deploying `cache` failed: the manifests of cache cannot be rendered")
        let states = Dictionary(uniqueKeysWithValues: report.steps.compactMap { step in step.component.map { ($0, step.state) } })
        #expect(states == ["db": .succeeded, "cache": .failed, "app": .skipped, "web": .skipped])
        #expect(!backend.calls.value.contains("apply cache"))
    }
}
