import Foundation
import TestSupport
import Testing

/// Every relative link in the documentation reaches a file or folder of the repository, and
/// every `#anchor` a heading that GitHub renders with that anchor.
@Suite("Documentation links")
struct DocumentLinkTests {
    @Test("the documentation set is complete")
    func documentsExist() throws {
        let paths = try DocumentationSet.paths()
        for required in ["README.md", "k8s/README.md", "docs/kubernetes-setup.md", "docs/architecture.md",
                         "docs/seed-deviations.md"] {
            #expect(paths.contains(required), "\(required) is missing")
        }
    }

    @Test("every relative link and anchor resolves", arguments: try DocumentationSet.paths())
    func linksResolve(_ path: String) throws {
        let document = try MarkdownDocument(path: path)
        let directory = (path as NSString).deletingLastPathComponent
        for link in document.relativeLinks {
            let parts = link.target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let file = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let anchor = parts.count > 1 ? String(parts[1]) : nil
            let targetPath = file.isEmpty ? path : Self.normalize((directory as NSString).appendingPathComponent(file))
            guard Repository.exists(targetPath) else {
                Issue.record("\(path) \(link): \(targetPath) does not exist")
                continue
            }
            guard let anchor, !anchor.isEmpty else { continue }
            guard targetPath.hasSuffix(".md") else {
                Issue.record("\(path) \(link): anchors are checked only in Markdown files")
                continue
            }
            let anchors = try MarkdownDocument(path: targetPath).anchors
            #expect(anchors.contains(anchor), "\(path) \(link): no heading in \(targetPath) has anchor #\(anchor)")
        }
    }

    /// Resolves `.` and `..` without touching the file system; the result is repository-relative.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", !parts.isEmpty { parts.removeLast() } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }

    // MARK: the checker can fail

    @Test("GitHub slugs: lower case, punctuation dropped, spaces to hyphens")
    func slugs() {
        #expect(MarkdownDocument.slug("Deploying Core Backend") == "deploying-core-backend")
        #expect(MarkdownDocument.slug("Deploying Core Backend (Sprint 0 Task 3.1)") == "deploying-core-backend-sprint-0-task-31")
        #expect(MarkdownDocument.slug("`provision up` on kind") == "provision-up-on-kind")
        #expect(MarkdownDocument.slug("Cloud migration: GKE, EKS, AKS") == "cloud-migration-gke-eks-aks")
        #expect(MarkdownDocument.slug("Port 80/443 taken") == "port-80443-taken")
    }

    @Test("repeated headings get numbered anchors; explicit anchors count")
    func repeatedHeadings() {
        let document = MarkdownDocument(path: "x.md", text: "# A\n## Usage\n## Usage\n<a id=\"custom\"></a>\n```\n# not a heading\n```\n")
        #expect(document.anchors == ["a", "usage", "usage-1", "custom"])
    }

    @Test("links are found in prose, not in code")
    func linkExtraction() {
        let text = """
            See [setup](docs/kubernetes-setup.md#cloud-migration) and ![img](pic.png "title").
            Not `[this](ignored.md)`, nor in code:
            ```
            [code](ignored.md)
            ```
            [ref]: k8s/README.md#deploying-web-client
            Web: [site](https://example.com) and <mailto:a@b.c>.
            """
        let document = MarkdownDocument(path: "x.md", text: text)
        #expect(document.relativeLinks.map(\.target)
            == ["docs/kubernetes-setup.md#cloud-migration", "pic.png", "k8s/README.md#deploying-web-client"])
    }

    @Test("paths normalise . and ..")
    func normalization() {
        #expect(Self.normalize("docs/../k8s/./README.md") == "k8s/README.md")
        #expect(Self.normalize("openspec/changes/x/../../config.yaml") == "openspec/config.yaml")
    }
}
