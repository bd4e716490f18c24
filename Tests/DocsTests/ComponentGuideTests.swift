import Components
import Foundation
import TestSupport
import Kubernetes
import ProvisionCore
import Testing

/// The worked example in docs/architecture.md ("Adding a component"): its Swift block is
/// Tests/CLITests/Guide/CoreBackendComponent.swift byte for byte (compiled there and
/// deployed against the fake tools by CLITests' GuideFollowingTests), and its kustomization
/// renders as the guide says.
@Suite("The add-a-component guide in docs/architecture.md")
struct ComponentGuideTests {
    static func swiftBlocks(_ markdown: String) -> [String] {
        markdown.matches(of: /```swift\n((?:.|\n)*?)```/).map { String($0.1) }
    }

    @Test("the guide's Swift code is the compiled fixture")
    func guideMatchesFixture() throws {
        // The section's own block: the backend guide has a sketch of its own.
        let guide = try #require(try Repository.section("Adding a component", of: "docs/architecture.md"))
        let blocks = Self.swiftBlocks(guide)
        let fixture = try Repository.read("Tests/CLITests/Guide/CoreBackendComponent.swift")
        #expect(blocks == [fixture], "update Tests/CLITests/Guide/CoreBackendComponent.swift with the guide's code")
    }

    @Test("the guide's kustomization renders: namespace staging-core, label on every object, selectors untouched")
    func guideKustomizationRenders() async throws {
        let markdown = try Repository.read("docs/architecture.md")
        let yaml = try #require(markdown.firstMatch(of: /```yaml\n((?:.|\n)*?)```/).map { String($0.1) })
        let directory = FileManager.default.temporaryDirectory.appending(path: "docs-guide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try yaml.write(to: directory.appending(path: "kustomization.yaml"), atomically: true, encoding: .utf8)
        // Stand-ins for the files the guide lists: one object each, with a selector to watch.
        let resources = yaml.matches(of: /\n  - ([\w.-]+\.yaml)/).map { String($0.1) }
        try #require(resources.count >= 3)
        for (index, file) in resources.enumerated() {
            let object = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: stand-in-\(index)}
                spec:
                  selector: {matchLabels: {app: core-backend}}
                  template:
                    metadata: {labels: {app: core-backend}}
                    spec: {containers: [{name: app, image: "example.invalid/app:1.0.0"}]}
                """
            try object.write(to: directory.appending(path: file), atomically: true, encoding: .utf8)
        }
        let outcome = try await Shell.run("kubectl", ["kustomize", directory.path])
        try #require(outcome.status == 0, "\(outcome)")
        let documents = try ManifestDocument.parseStream(outcome.output)
        #expect(documents.count == resources.count)
        for document in documents {
            #expect(document.namespace == "staging-core")
            #expect(document.labels[ComponentLabel.key] == "core-backend")
            let spec = try document.object()["spec"] as? [String: Any] ?? [:]
            let selector = (spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String]
            #expect(selector == ["app": "core-backend"], "the guide's labels must not reach selectors")
        }
    }
}
