import Foundation
import TestSupport
import Testing

/// Manifests and code point users to sections of the docs (namespace annotations, error
/// messages of the cloud stubs). Those sections must exist under exactly those anchors.
@Suite("References into the documentation")
struct DocumentReferenceTests {
    /// `wrightnow/deployment-guide` annotations of the namespaces, by file.
    static func deploymentGuides() throws -> [(file: String, guide: String)] {
        let folder = "k8s/base/namespaces"
        let names = try FileManager.default.contentsOfDirectory(atPath: Repository.file(folder).path)
        return try names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            let text = try Repository.read("\(folder)/\(name)")
            guard let match = text.firstMatch(of: /wrightnow\/deployment-guide:\s*"?([^"\s]+)"?/) else { return nil }
            return ("\(folder)/\(name)", String(match.1))
        }
    }

    @Test("each placeholder namespace points to its section of k8s/README.md")
    func placeholderAnchors() throws {
        let guides = Dictionary(uniqueKeysWithValues: try Self.deploymentGuides().map {
            (($0.file as NSString).lastPathComponent, $0.guide)
        })
        #expect(guides["staging-core.yaml"] == "k8s/README.md#deploying-core-backend")
        #expect(guides["staging-ai.yaml"] == "k8s/README.md#deploying-ai-service")
        #expect(guides["staging-web.yaml"] == "k8s/README.md#deploying-web-client")
    }

    @Test("every deployment-guide annotation resolves to a file and heading")
    func annotationsResolve() throws {
        let guides = try Self.deploymentGuides()
        try #require(!guides.isEmpty)
        for (file, guide) in guides {
            #expect(Self.resolves(guide), "\(file): \(guide) does not resolve")
        }
    }

    @Test("every docs reference in Swift sources and k8s manifests resolves")
    func sourceReferencesResolve() throws {
        var checked = 0
        for folder in ["Sources", "k8s"] {
            guard let walker = FileManager.default.enumerator(at: Repository.file(folder), includingPropertiesForKeys: nil)
            else { continue }
            for case let url as URL in walker where ["swift", "yaml", "yml"].contains(url.pathExtension) {
                let text = try String(contentsOf: url, encoding: .utf8)
                for match in text.matches(of: /(?:docs\/[A-Za-z0-9_.\/-]+|k8s\/README)\.md(?:#[a-z0-9_-]+)?/) {
                    checked += 1
                    #expect(Self.resolves(String(match.0)), "\(url.lastPathComponent): \(match.0) does not resolve")
                }
            }
        }
        #expect(checked > 0, "no references found: the pattern or the folders are wrong")
    }

    /// `path.md#anchor` relative to the repository root.
    static func resolves(_ reference: String) -> Bool {
        let parts = reference.split(separator: "#", maxSplits: 1)
        let file = String(parts[0])
        guard Repository.exists(file) else { return false }
        guard parts.count > 1 else { return true }
        return (try? MarkdownDocument(path: file).anchors.contains(String(parts[1]))) ?? false
    }

    @Test("a reference to a missing heading does not resolve")
    func missingAnchorFails() {
        #expect(Self.resolves("docs/seed-deviations.md#labels-instead-of-commonlabels-task-81"))
        #expect(!Self.resolves("docs/seed-deviations.md#no-such-heading"))
        #expect(!Self.resolves("docs/no-such-file.md"))
    }
}
