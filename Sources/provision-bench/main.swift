import Foundation

// provision-bench: measures the scheduler against the critical path and the
// history queries on a large store. Run with `swift run -c release provision-bench`.
// Not a test: the numbers depend on the machine, so they are printed, not asserted.
print("provision-bench (\(ProcessInfo.processInfo.activeProcessorCount) CPUs)\n")
let deployMet = try await SimulatedDeployBenchmark.run()
let historyMet = try await HistoryBenchmark.run()
let reRunMet = try await ReRunBenchmark.run()
let allMet = deployMet && historyMet && reRunMet
print(allMet ? "All goals met." : "Some goals were NOT met (see the tables above).")
exit(allMet ? 0 : 1)
