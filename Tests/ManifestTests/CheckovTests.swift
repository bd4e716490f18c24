import Foundation
import TestSupport
import Testing

/// checkov's Kubernetes checks over every overlay as rendered, with the skips k8s/checkov.yaml
/// lists and explains: no finding may remain.
@Suite("checkov finds nothing in the rendered overlays")
struct CheckovTests {
    static let overlays: [Kustomization] = [.localOverlay, .localIngressNginxOverlay, .clusterOverlay]

    /// Runs checkov over `files` (name to rendered YAML) with the project's configuration.
    static func checkov(_ files: [String: String]) async throws -> ProcessResult {
        let scratch = try TemporaryDirectory("checkov")
        for (name, yaml) in files {
            try yaml.write(to: scratch.url.appending(path: "\(name).yaml"), atomically: true, encoding: .utf8)
        }
        return try await ChildProcess.run(
            ["checkov", "-d", scratch.url.path, "--config-file", Repository.file("k8s/checkov.yaml").path,
             "--compact", "--quiet", "--skip-download", "-o", "cli"],
            environment: ChildProcess.environment(adding: ["BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"]),
            limit: 600)
    }

    @Test("every overlay passes checkov with the documented skips")
    func overlaysPass() async throws {
        var files: [String: String] = [:]
        for overlay in Self.overlays {
            files[URL(filePath: overlay.rawValue).lastPathComponent] = try await RenderCache.shared.rendering(of: overlay).yaml
        }
        let result = try await Self.checkov(files)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.standardOutput.contains("Failed checks: 0"), "\(result)")
        #expect(result.standardOutput.contains("Passed checks:") && !result.standardOutput.contains("Passed checks: 0,"))
    }

    @Test("a privileged container is reported (the check can fail)")
    func privilegedIsReported() async throws {
        let yaml = try await RenderCache.shared.rendering(of: .localOverlay).yaml
        let broken = yaml.replacingOccurrences(of: "allowPrivilegeEscalation: false", with: "allowPrivilegeEscalation: true")
        try #require(broken != yaml)
        let result = try await Self.checkov(["broken": broken])
        #expect(result.exitCode != 0, "\(result)")
        #expect(result.standardOutput.contains("CKV_K8S_20"), "\(result)")
    }

    @Test("every skip in k8s/checkov.yaml says why")
    func skipsAreExplained() throws {
        let lines = try Repository.read("k8s/checkov.yaml").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, line) in lines.enumerated() where line.hasPrefix("  - CKV_") {
            #expect(index > 0 && lines[index - 1].hasPrefix("  #"), "\(line) has no reason above it")
        }
    }
}
