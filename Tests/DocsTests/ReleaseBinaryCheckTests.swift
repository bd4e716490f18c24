import Foundation
import Testing
import TestSupport
@testable import ProvisionCLI

/// scripts/check-release-binary, which scripts/build-release and the release workflow run on
/// every release binary. Building a release binary takes minutes on two cores, too slow for
/// the suite: the release workflow builds them (and scripts/build-release was run by hand);
/// here the check itself runs on binaries that take a second to make, and on the debug build,
/// which links the Swift runtime and must be refused.
@Suite("Release binaries")
struct ReleaseBinaryCheckTests {
    static let script = Repository.file("scripts/check-release-binary").path

    static func check(_ binary: String, path: String? = nil, maximumGlibc: String? = nil) async throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LD_LIBRARY_PATH")
        if let path { environment["PATH"] = path }
        if let maximumGlibc { environment["PROVISION_RELEASE_MAX_GLIBC"] = maximumGlibc }
        return try await ChildProcess.run([script, binary], environment: environment, limit: 60)
    }

    #if os(Linux)
    static let onLinux = true
    #else
    static let onLinux = false
    #endif

    @Test("the debug build links the Swift runtime: refused, naming the libraries")
    func debugBuildRefused() async throws {
        let provision = try #require(BuildProducts.provision, "build provision first (swift build)")
        let result = try await Self.check(provision.path)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("needs a library a machine without Swift does not have"), "\(result)")
        if Self.onLinux {
            for library in ["libswiftCore.so", "libFoundation.so", "libdispatch.so", "libBlocksRuntime.so"] {
                #expect(result.standardError.contains("FORBIDDEN: \(library) is a Swift runtime library"), "\(library): \(result)")
            }
        } else {
            #expect(result.standardError.contains("exists only where the binary was built"), "\(result)")
        }
    }

    /// A C program that needs what a release binary may need on Linux, each library named.
    static func program(in directory: TemporaryDirectory, linking libraries: [String], extra: [String] = []) async throws -> String {
        let source = try directory.write("int main(void) { return 0; }\n", to: "main.c")
        let binary = directory.path("program")
        let compile = try await ChildProcess.run(
            ["gcc", source.path, "-o", binary, "-Wl,--no-as-needed"] + extra + libraries.map { "-l\($0)" })
        try #require(compile.succeeded, "gcc (./scripts/test installs it): \(compile)")
        return binary
    }

    @Test("glibc, libstdc++, libsqlite3 and zlib: accepted", .enabled(if: onLinux, "ELF and gcc: Linux"))
    func systemLibrariesAccepted() async throws {
        let directory = try TemporaryDirectory("release-check")
        let binary = try await Self.program(in: directory, linking: ["sqlite3", "z", "m", "stdc++", "pthread", "dl"])
        let result = try await Self.check(binary)
        #expect(result.exitCode == 0, "\(result)")
        for library in ["libsqlite3.so.0", "libz.so.1", "libstdc++.so.6", "libc.so.6"] {
            #expect(result.standardOutput.contains(library), "\(library) not listed: \(result)")
        }
        #expect(result.standardOutput.contains("needs no Swift toolchain"))
    }

    /// Built on a newer glibc than the oldest it must run on (Debian 12's 2.36 by default), a
    /// binary binds calls to symbol versions that system lacks and would not start there.
    @Test("a binary that needs a newer glibc than allowed: refused, naming both versions", .enabled(if: onLinux, "ELF: Linux"))
    func newerGlibcRefused() async throws {
        let directory = try TemporaryDirectory("release-check")
        let binary = try await Self.program(in: directory, linking: ["sqlite3", "z"])
        let result = try await Self.check(binary, maximumGlibc: "2.1")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("FORBIDDEN: it needs glibc 2."), "\(result)")
        #expect(result.standardError.contains("newer than 2.1"), "\(result)")
    }

    @Test("a library of its own, even one beside it: refused", .enabled(if: onLinux, "ELF and gcc: Linux"))
    func otherLibraryRefused() async throws {
        let directory = try TemporaryDirectory("release-check")
        let library = try directory.write("int extra(void) { return 1; }\n", to: "extra.c")
        let built = try await ChildProcess.run(["gcc", "-shared", "-fPIC", library.path, "-o", directory.path("libextra.so")])
        try #require(built.succeeded, "\(built)")
        let binary = try await Self.program(
            in: directory, linking: ["extra"], extra: ["-L\(directory.url.path)", "-Wl,-rpath,\(directory.url.path)"])
        let result = try await Self.check(binary)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("FORBIDDEN: libextra.so is not one of the libraries every distribution has"), "\(result)")
    }

    /// What `otool -L` and `otool -l` print for a macOS release binary (shortened), for a fake
    /// `otool` and `uname` that send the script down its macOS branch on any machine.
    static func fakeMacOS(in directory: TemporaryDirectory, rpaths: [String]) throws -> String {
        let loads = ["/usr/lib/libsqlite3.dylib", "/usr/lib/libz.1.dylib", "/usr/lib/swift/libswiftCore.dylib",
                     "/System/Library/Frameworks/Foundation.framework/Versions/C/Foundation",
                     "@rpath/libswiftCompatibilitySpan.dylib", "/usr/lib/libSystem.B.dylib"]
        let listing = (["provision:"] + loads.map { "\t\($0) (compatibility version 1.0.0, current version 1.0.0)" })
            .joined(separator: "\n")
        let commands = rpaths.map { "Load command 20\n          cmd LC_RPATH\n      cmdsize 32\n         path \($0) (offset 12)" }
            .joined(separator: "\n")
        let bin = directory.url.appending(path: "bin")
        try ExecutableFile.write("#!/bin/sh\necho Darwin\n", to: bin.appending(path: "uname"))
        try ExecutableFile.write("""
            #!/bin/sh
            if [ "$1" = -L ]; then cat <<'END'
            \(listing)
            END
            else cat <<'END'
            \(commands)
            END
            fi
            """, to: bin.appending(path: "otool"))
        return bin.path + ":/usr/bin:/bin"
    }

    @Test("macOS: the OS's libraries and the Span library beside the binary pass; a toolchain path or a missing library does not")
    func macOSBranch() async throws {
        let directory = try TemporaryDirectory("release-check")
        let binary = try directory.write("not really Mach-O", to: "release/provision").path
        let good = try Self.fakeMacOS(in: directory, rpaths: ["/usr/lib/swift", "@loader_path"])

        let missing = try await Self.check(binary, path: good)
        #expect(missing.exitCode == 1, "\(missing)")
        #expect(missing.standardError.contains("@rpath/libswiftCompatibilitySpan.dylib is not in the OS and not beside the binary"))

        _ = try directory.write("", to: "release/libswiftCompatibilitySpan.dylib")
        let accepted = try await Self.check(binary, path: good)
        #expect(accepted.exitCode == 0, "\(accepted)")
        #expect(accepted.standardOutput.contains("search paths: /usr/lib/swift @loader_path"), "\(accepted)")

        let toolchain = "/Library/Developer/Toolchains/swift-6.3.1-RELEASE.xctoolchain/usr/lib/swift-6.2/macosx"
        let refused = try await Self.check(binary, path: try Self.fakeMacOS(in: directory, rpaths: ["/usr/lib/swift", toolchain]))
        #expect(refused.exitCode == 1, "\(refused)")
        #expect(refused.standardError.contains("search path \(toolchain) exists only where the binary was built"), "\(refused)")
    }

    @Test("the README's install path names the files scripts/build-release writes for this version")
    func readmeInstallPath() throws {
        let readme = try Repository.read("README.md")
        let start = try #require(readme.range(of: "### Install without Swift"))
        let section = readme[start.upperBound...].components(separatedBy: "\n## ")[0]
        let version = ProvisionVersion.current
        let script = try Repository.read("scripts/build-release")
        #expect(script.contains("asset=provision-$version-linux-$arch") && script.contains("asset=provision-$version-macos-$arch.tar.gz"))
        for name in ["provision-\(version)-linux-x86_64", "provision-\(version)-macos-arm64.tar.gz", "`v\(version)`",
                     "provision-<version>-linux-arm64", "provision-<version>-macos-x86_64.tar.gz"] {
            #expect(section.contains(name), "README's install section does not name \(name)")
        }
        for library in ["`libsqlite3`", "`zlib`", "`libstdc++`", "glibc"] {
            #expect(section.contains(library), "README's install section does not name \(library)")
        }
        #expect(section.contains("No release has been published yet"), "say so until the release workflow has run")
    }
}
