import Foundation
import ProvisionCore
import Testing
import TestSupport

/// Runs offline: the real-cluster suite never waits less than `provision up` does for a user,
/// so a slow first start fails with provision's own message, not the test's limit.
@Suite("real-cluster suite timeouts")
struct TimeoutTests {
    @Test("the scripts keep provision's readiness timeout, and each may run longer than it")
    func timeoutsFollowProvision() throws {
        let source = try Repository.read("Tests/RealClusterTests/SeedVerificationTests.swift")
        #expect(!source.contains("\"--timeout\""),
                "pass no --timeout: provision's default (DeployOptions.upDefaults) applies, one source of the number")
        #expect(SeedVerificationTests.readinessTimeout
                == TimeInterval(DeployOptions.upDefaults.readinessTimeout.components.seconds))
        #expect(SeedVerificationTests.setupLimit > SeedVerificationTests.readinessTimeout)
        #expect(SeedVerificationTests.deployLimit > SeedVerificationTests.readinessTimeout)
    }
}
