import Foundation

// provision-bench: measures the scheduler against the critical path and the
// history queries on a large store. Run with `swift run -c release provision-bench`.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == CrashHelper.flag {
    CrashHelper.run(arguments: Array(arguments.dropFirst()))
}
print("bench")
