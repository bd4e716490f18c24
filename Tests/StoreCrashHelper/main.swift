import Foundation
import ProvisionCore
import RunHistory

// store-crash-helper: used by RunHistoryTests' StoreCrashRecoveryTests. Acts like a
// `provision up` that gets killed mid-way: opens the store, begins a run with one finished,
// one running and one pending step, prints `ready <run id>` and waits to be killed.
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: store-crash-helper <database path> <cluster>\n".utf8))
    exit(64)
}
do {
    let store = try StateStore(url: URL(fileURLWithPath: arguments[0]))
    let run = try store.beginRun(
        NewRun(
            commandLine: ["provision", "up", "--backend", "fake"], backend: "fake",
            cluster: arguments[1], toolVersion: "crash-helper", manifestsRevision: nil))
    try store.addStep(run: run, component: nil, action: .preflight, state: .succeeded)
    let running = try store.addStep(run: run, component: "postgres-pgvector", action: .deploy)
    try store.markStep(running, .running)
    try store.addStep(run: run, component: "authentik", action: .deploy)
    FileHandle.standardOutput.write(Data("ready \(run.rawValue)\n".utf8))
} catch {
    FileHandle.standardError.write(Data("crash helper failed: \(error)\n".utf8))
    exit(1)
}
while true { sleep(60) }
