import Foundation
import TestSupport
import Kubernetes
import ProvisionCore
import Testing

/// The Services and Volumes tables of k8s/README.md describe the rendered local overlay.
@Suite("Cluster tables in k8s/README.md")
struct ClusterTablesTests {
    /// Rendered objects of the local overlay, parsed.
    static func rendered() async throws -> [(document: ManifestDocument, object: [String: Any])] {
        let outcome = try await Shell.run("kubectl", ["kustomize", "k8s/overlays/local"])
        guard outcome.status == 0 else { throw ResourceTableTests.RenderFailed(outcome: outcome) }
        return try ManifestDocument.parseStream(outcome.output).map { ($0, try $0.object()) }
    }

    /// Table rows of k8s/README.md (cells trimmed) whose first cell starts with a name in backticks.
    static func rows(_ markdown: String, columns: Int) -> [[String]] {
        markdown.components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("| `") else { return nil }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.count == columns ? cells : nil
        }
    }

    static func firstCode(_ cell: String) -> String? {
        cell.firstMatch(of: /`([^`]+)`/).map { String($0.1) }
    }

    /// The tables cover the built-in components; a component added later need not be listed,
    /// but every component that is listed has all of its objects in the table.
    static func owner(_ document: ManifestDocument) -> String { document.labels[ComponentLabel.key] ?? "" }

    @Test("every Service row names a rendered Service with its DNS name, ports and type; none of a listed component is missing")
    func servicesTable() async throws {
        let readme = try Repository.read("k8s/README.md")
        let services = try await Self.rendered().filter { $0.document.kind == "Service" }
        let rows = Self.rows(readme, columns: 5).filter { ($0[1]).contains(".svc.cluster.local") }
        try #require(!rows.isEmpty, "no Services table found")
        let listed = Set(rows.compactMap { Self.firstCode($0[0]) })
        let covered = Set(services.filter { listed.contains($0.document.name) }.map { Self.owner($0.document) })
        #expect(listed == Set(services.filter { covered.contains(Self.owner($0.document)) }.map(\.document.name)))
        for row in rows {
            let name = try #require(Self.firstCode(row[0]))
            guard let service = services.first(where: { $0.document.name == name }) else { continue }
            let namespace = service.document.namespace ?? "default"
            #expect(Self.firstCode(row[1]) == "\(name).\(namespace).svc.cluster.local", "\(name): DNS name")
            let spec = service.object["spec"] as? [String: Any] ?? [:]
            let ports = Set((spec["ports"] as? [[String: Any]] ?? []).compactMap { $0["port"] as? Int })
            let documented = Set(row[2].matches(of: /\d+/).compactMap { Int($0.0) })
            #expect(documented == ports, "\(name): ports")
            let headless = (spec["clusterIP"] as? String) == "None"
            #expect((row[3] == "headless") == headless, "\(name): type \(row[3])")
        }
    }

    @Test("every volume row matches a rendered claim or claim template and its size; none of a listed component is missing")
    func volumesTable() async throws {
        let readme = try Repository.read("k8s/README.md")
        var claims: [String: (size: String, owner: String)] = [:]  // claim name as Kubernetes creates it
        for (document, object) in try await Self.rendered() {
            let spec = object["spec"] as? [String: Any] ?? [:]
            if document.kind == "PersistentVolumeClaim" {
                claims[document.name] = (Self.storage(spec), Self.owner(document))
            } else if document.kind == "StatefulSet" {
                for template in spec["volumeClaimTemplates"] as? [[String: Any]] ?? [] {
                    let templateName = (template["metadata"] as? [String: Any])?["name"] as? String ?? ""
                    claims["\(templateName)-\(document.name)-0"] = (
                        Self.storage(template["spec"] as? [String: Any] ?? [:]), Self.owner(document))
                }
            }
        }
        let rows = Self.rows(readme, columns: 4).filter { $0[1].wholeMatch(of: /\d+(Mi|Gi)/) != nil }
        try #require(!rows.isEmpty, "no Volumes table found")
        var documented: [String: String] = [:]
        for row in rows { if let name = Self.firstCode(row[0]) { documented[name] = row[1] } }
        let covered = Set(documented.keys.compactMap { claims[$0]?.owner })
        #expect(documented == claims.filter { covered.contains($0.value.owner) }.mapValues(\.size))
    }

    static func storage(_ spec: [String: Any]) -> String {
        let resources = spec["resources"] as? [String: Any] ?? [:]
        return "\((resources["requests"] as? [String: Any])?["storage"] ?? "")"
    }

    @Test("the row reader keeps only rows of the asked width")
    func rowReader() {
        let text = "| `a` | b | c |\n| `x` | y |\n| plain | z | w |"
        #expect(Self.rows(text, columns: 3) == [["`a`", "b", "c"]])
        #expect(Self.firstCode("`data-postgres-0` (volumeClaimTemplate `data`)") == "data-postgres-0")
    }
}
