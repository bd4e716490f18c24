import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The descriptor guard ./scripts/test preloads into this process (Tests/DescriptorGuard):
/// it must be there, stay out of the children, and stop each misuse it is for.
@Suite("descriptor guard")
struct DescriptorGuardTests {
    static let environment = ProcessInfo.processInfo.environment
    static let library = environment["PROVISION_DESCRIPTOR_GUARD_LIBRARY"]
    static let misuse = environment["PROVISION_DESCRIPTOR_MISUSE"]

    #if os(Linux)
    @Test("./scripts/test runs this process under the guard, and its children without it",
          .enabled(if: DescriptorGuardTests.library != nil, "not run by ./scripts/test (no PROVISION_DESCRIPTOR_GUARD_LIBRARY)"))
    func watchesTheTestProcess() async throws {
        let library = try #require(Self.library)
        // Read to the end: /proc files report size 0, and a sized read stops at the first page.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        try handle.close()
        #expect(maps.contains(library), "the guard is not loaded into the test process")
        let child = try await ChildProcess.run(["sh", "-c", "grep -c descriptor-guard /proc/self/maps || true"], limit: 30)
        #expect(child.trimmedOutput == "0", "a child loaded the guard: \(child)")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var stopped: Bool
        var says: String
        var testDescription: String { name }
    }

    @Test("each misuse stops the program with the call and the descriptor; the fix gets through",
          .enabled(if: DescriptorGuardTests.library != nil && DescriptorGuardTests.misuse != nil, "not run by ./scripts/test (no descriptor guard built)"),
          arguments: [
              // What ChildProcessTests.theChildInheritsNoOtherDescriptors did until issue 15, alone.
              Case(name: "chosen-number", stopped: true, says: "dup2(250) refused"),
              Case(name: "onto-owned", stopped: true, says: "the target is open"),
              Case(name: "close-twice", stopped: true, says: "not open: closed twice, or never opened here"),
              Case(name: "free-high", stopped: false, says: "got through"),
          ])
    func stopsMisuse(_ misuse: Case) async throws {
        let (library, program) = (try #require(Self.library), try #require(Self.misuse))
        let result = try await ChildProcess.run(
            [program, misuse.name],
            environment: ChildProcess.environment(adding: [
                "LD_PRELOAD": library, "PROVISION_DESCRIPTOR_GUARD": "provisionPackageTests.xctest descriptor-misuse",
            ]),
            limit: 60)
        if misuse.stopped {
            #expect(result.exitCode == 128 + SIGILL, "\(result)")
            #expect(result.standardError.contains(misuse.says), "\(result)")
            #expect(result.standardError.contains("ask the kernel for a free one"), "\(result)")
        } else {
            #expect(result.exitCode == 0 && result.standardOutput.contains(misuse.says), "\(result)")
        }
    }

    @Test("programs the guard is not told to watch are left alone",
          .enabled(if: DescriptorGuardTests.library != nil && DescriptorGuardTests.misuse != nil, "not run by ./scripts/test (no descriptor guard built)"))
    func watchesOnlyNamedPrograms() async throws {
        let (library, program) = (try #require(Self.library), try #require(Self.misuse))
        let result = try await ChildProcess.run(
            [program, "close-twice"],
            environment: ChildProcess.environment(adding: [
                "LD_PRELOAD": library, "PROVISION_DESCRIPTOR_GUARD": "provisionPackageTests.xctest",
            ]),
            limit: 60)
        #expect(result.exitCode == 0 && result.standardOutput.contains("got through"), "\(result)")
    }
    #endif
}
