import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import ProvisionCLI

/// `provision --version`: the version (ProvisionVersion.current, also recorded with every run)
/// and the commit of a release build; scripts/build-release writes the commit, so a build from
/// the checkout says it is a development build.
@Suite("provision --version")
struct VersionTests {
    static let developmentLine = "\(ProvisionVersion.current) (development build)"

    @Test("as the command line parses it: the version, then what the binary was built from")
    func parsed() throws {
        #expect(BuildCommit.value == nil, "BuildCommit.swift is committed as a development build; only build-release's copy names a commit")
        do {
            _ = try Provision.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(Provision.exitCode(for: error) == .success)
            #expect(Provision.fullMessage(for: error) == Self.developmentLine)
        }
        #expect(ProvisionVersion.current.wholeMatch(of: /\d+\.\d+\.\d+/) != nil, "the release tag is v + this: keep it x.y.z")
    }

    @Test("the built binary prints it and exits 0")
    func binary() async throws {
        let provision = try #require(BuildProducts.provision, "build provision first (swift build)")
        let result = try await ChildProcess.run([provision.path, "--version"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.standardOutput == Self.developmentLine + "\n", "\(result)")
    }
}
