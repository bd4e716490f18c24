import Foundation

// provision-bench: measures the scheduler against the critical path, the history queries
// on a large store, a first and a no-op `up` against the fake tools, and the image pulls that
// leave the machine on a first `up` and on an `up` after `down`. Run with
// `swift run -c release provision-bench`.
// Not a test: the numbers depend on the machine, so they are printed, not asserted.
// Arguments pick sections (`provision-bench rerun`); none runs them all.
let sections: [(name: String, run: () async throws -> Bool)] = [
    ("deploy", SimulatedDeployBenchmark.run), ("history", HistoryBenchmark.run), ("rerun", ReRunBenchmark.run),
    ("pulls", ImagePullBenchmark.run),
]
let wanted = Set(CommandLine.arguments.dropFirst())
if let unknown = wanted.first(where: { name in !sections.contains { $0.name == name } }) {
    print("provision-bench: unknown section `\(unknown)`; the sections: \(sections.map(\.name).joined(separator: ", "))")
    exit(2)
}
print("provision-bench (\(ProcessInfo.processInfo.activeProcessorCount) CPUs)\n")
var allMet = true
for section in sections where wanted.isEmpty || wanted.contains(section.name) {
    allMet = try await section.run() && allMet
}
print(allMet ? "All goals met." : "Some goals were NOT met (see the tables above).")
exit(allMet ? 0 : 1)
