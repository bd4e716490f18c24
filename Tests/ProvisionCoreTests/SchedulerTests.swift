import Foundation
import ProcessRunning
import Testing
@testable import ProvisionCore

/// Simulated steps only. Nothing here asserts on wall-clock thresholds: overlap is
/// shown by counters and by steps that can only finish if another one is running.
@Suite("Scheduler")
struct SchedulerTests {
    struct StepFailed: Error, CustomStringConvertible {
        var description: String { "simulated failure" }
    }

    @Test func independentStepsRunAtTheSameTime() async throws {
        let plan = try Plan(components: [TestComponent("a"), TestComponent("b"), TestComponent("c")])
        let counter = InFlightCounter()
        let allStarted = Recorder(0)
        let barrier = Signal()
        // Each step waits until all three are inside: impossible unless they overlap.
        let result = await Scheduler(maxConcurrency: 3, stepTimeout: .seconds(60)).run(plan) { _ in
            counter.enter()
            defer { counter.leave() }
            if allStarted.update({ $0 += 1; return $0 }) == 3 { barrier.fire() }
            guard await barrier.wait() else { throw StepFailed() }
        }
        #expect(result.succeeded)
        #expect(counter.maximum == 3)
        // The recorded intervals overlap too: every step started before any ended.
        let latestStart = try #require(result.steps.compactMap(\.started).max())
        let earliestEnd = try #require(result.steps.compactMap(\.ended).min())
        #expect(latestStart < earliestEnd)
    }

    @Test func stepStartsAsSoonAsItsOwnDependenciesSucceedNotLayerByLayer() async throws {
        // slow and fast are in the same layer; after-fast depends only on fast.
        // slow finishes only once after-fast has started, which a layer-by-layer
        // scheduler would never allow (slow would time out).
        let plan = try Plan(components: [
            TestComponent("slow"), TestComponent("fast"), TestComponent("after-fast", dependsOn: ["fast"]),
        ])
        let afterFastStarted = Signal()
        let result = await Scheduler(maxConcurrency: 4, stepTimeout: .seconds(60)).run(plan) { component in
            switch component.id {
            case "slow": guard await afterFastStarted.wait() else { throw StepFailed() }
            case "after-fast": afterFastStarted.fire()
            default: break
            }
        }
        #expect(result.succeeded)
        let slow = try #require(result["slow"])
        let afterFast = try #require(result["after-fast"])
        #expect(try #require(afterFast.started) < #require(slow.ended))
    }

    @Test func concurrencyLimitIsRespected() async throws {
        let plan = try Plan(components: (0..<8).map { TestComponent(ComponentID("s\($0)")) })
        let counter = InFlightCounter()
        let result = await Scheduler(maxConcurrency: 2, stepTimeout: .seconds(60)).run(plan) { _ in
            counter.enter()
            defer { counter.leave() }
            try await Task.sleep(for: .milliseconds(30))
        }
        #expect(result.succeeded)
        #expect(counter.maximum <= 2)
        #expect(counter.maximum == 2)
    }

    @Test func failureSkipsExactlyTheTransitiveDependents() async throws {
        let plan = try Plan(components: [
            TestComponent("a"),
            TestComponent("b", dependsOn: ["a"]),
            TestComponent("c", dependsOn: ["b"]),
            TestComponent("d", dependsOn: ["a"]),
            TestComponent("e"),
            TestComponent("f", dependsOn: ["e"]),
            TestComponent("g", dependsOn: ["c", "e"]),
        ])
        let ran = Recorder<Set<ComponentID>>([])
        let result = await Scheduler(maxConcurrency: 3, stepTimeout: .seconds(60)).run(plan) { component in
            ran.update { _ = $0.insert(component.id) }
            if component.id == "a" { throw StepFailed() }
        }
        #expect(!result.succeeded)
        #expect(!result.wasCancelled)
        #expect(result.outcome(of: "a") == .failed("simulated failure"))
        #expect(result["a"]?.error is StepFailed)
        for skipped in ["b", "c", "d", "g"] as [ComponentID] {
            #expect(result.outcome(of: skipped) == .skipped(because: "a"))
        }
        #expect(result.outcome(of: "e") == .succeeded)
        #expect(result.outcome(of: "f") == .succeeded)
        #expect(ran.value == ["a", "e", "f"])
        #expect(result.firstFailure?.id == "a")
    }

    @Test func stepPastItsTimeoutIsCancelledAndRecordedAsTimedOut() async throws {
        let plan = try Plan(components: [
            TestComponent("hangs"), TestComponent("needs-hangs", dependsOn: ["hangs"]), TestComponent("other"),
        ])
        let sawCancellation = Recorder(false)
        let result = await Scheduler(maxConcurrency: 2, stepTimeout: .milliseconds(200)).run(plan) { component in
            guard component.id == "hangs" else { return }
            do {
                try await sleepUntilCancelled()
            } catch {
                sawCancellation.update { $0 = true }
                throw error
            }
        }
        #expect(result.outcome(of: "hangs") == .timedOut(.milliseconds(200)))
        #expect(result["hangs"]?.error is TimeoutError)
        #expect(result.outcome(of: "needs-hangs") == .skipped(because: "hangs"))
        #expect(result.outcome(of: "other") == .succeeded)
        #expect(sawCancellation.value)
        #expect(!result.wasCancelled)
    }

    @Test func cancellationInterruptsRunningStepsAndStartsNoNewOnes() async throws {
        let plan = try Plan(components: [
            TestComponent("a-running"), TestComponent("b-waiting", dependsOn: ["a-running"]), TestComponent("c-queued"),
        ])
        let started = Signal()
        let ran = Recorder<[ComponentID]>([])
        let events = Recorder<[String]>([])
        let task = Task {
            await Scheduler(maxConcurrency: 1, stepTimeout: .seconds(600)).run(
                plan,
                events: { event in
                    switch event {
                    case .started(let id): events.update { $0.append("start \(id)") }
                    case .finished(let step): events.update { $0.append("end \(step.id) \(step.outcome)") }
                    }
                },
                step: { component in
                    ran.update { $0.append(component.id) }
                    started.fire()
                    try await sleepUntilCancelled()
                })
        }
        #expect(await started.wait())
        task.cancel()
        let result = await task.value
        #expect(result.wasCancelled)
        #expect(!result.succeeded)
        #expect(result.outcome(of: "a-running") == .interrupted)
        #expect(result.outcome(of: "b-waiting") == .notStarted)
        #expect(result.outcome(of: "c-queued") == .notStarted)
        #expect(ran.value == ["a-running"])
        #expect(events.value == [
            "start a-running",
            "end a-running interrupted",
            "end b-waiting not started (run cancelled)",
            "end c-queued not started (run cancelled)",
        ])
    }

    @Test func eventsReportEachStartBeforeItsEndAndEveryComponentOnce() async throws {
        let plan = try Plan(components: [
            TestComponent("a"), TestComponent("b", dependsOn: ["a"]), TestComponent("c", dependsOn: ["a"]),
            TestComponent("d", dependsOn: ["b", "c"]), TestComponent("x"), TestComponent("y", dependsOn: ["x"]),
        ])
        let events = Recorder<[(String, ComponentID)]>([])
        let result = await Scheduler(maxConcurrency: 3, stepTimeout: .seconds(60)).run(
            plan,
            events: { event in
                switch event {
                case .started(let id): events.update { $0.append(("start", id)) }
                case .finished(let step): events.update { $0.append(("end", step.id)) }
                }
            },
            step: { component in if component.id == "x" { throw StepFailed() } })
        let log = events.value
        for id in plan.order {
            let ends = log.indices.filter { log[$0] == ("end", id) }
            #expect(ends.count == 1, "\(id) finished \(ends.count) times")
            if let start = log.firstIndex(where: { $0 == ("start", id) }) {
                #expect(start < ends[0])
                // A step starts only after all its dependencies ended.
                for dependency in plan.dependencies(of: id) {
                    #expect(log.firstIndex { $0 == ("end", dependency) }! < start)
                }
            }
        }
        #expect(result.outcome(of: "y") == .skipped(because: "x"))
        #expect(result.outcome(of: "d") == .succeeded)
    }

    @Test func emptyPlanSucceedsImmediately() async throws {
        let plan = try Plan(components: [])
        let result = await Scheduler(maxConcurrency: 2, stepTimeout: .seconds(1)).run(plan) { _ in }
        #expect(result.succeeded)
        #expect(result.steps.isEmpty)
    }
}
