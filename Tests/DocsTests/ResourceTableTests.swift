import Foundation
import TestSupport
import Kubernetes
import ProvisionCore
import Testing

/// The resource table in k8s/README.md states what the rendered local overlay asks for.
@Suite("Resource figures in k8s/README.md")
struct ResourceTableTests {
    struct Row: Equatable, CustomStringConvertible {
        var replicas: Int
        var cpuRequest: Int, memoryRequest: Int, cpuLimit: Int, memoryLimit: Int  // millicores, MiB
        var description: String {
            "\(replicas)x \(cpuRequest)m/\(memoryRequest)Mi, limits \(cpuLimit)m/\(memoryLimit)Mi"
        }
    }

    /// Rows of the table whose first cell is a workload name in backticks, and the total row.
    static func documentedRows(_ markdown: String) throws -> (rows: [String: Row], total: Row?) {
        var rows: [String: Row] = [:]
        var total: Row?
        for line in markdown.components(separatedBy: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "**", with: "") }
            guard cells.count == 7 else { continue }
            if let name = cells[0].wholeMatch(of: /`([a-z0-9-]+)`/)?.1, let replicas = Int(cells[2]) {
                rows[String(name)] = Row(
                    replicas: replicas, cpuRequest: try millicores(cells[3]), memoryRequest: try mebibytes(cells[4]),
                    cpuLimit: try millicores(cells[5]), memoryLimit: try mebibytes(cells[6]))
            } else if cells[0] == "Total", let pods = cells[2].firstMatch(of: /(\d+)/).flatMap({ Int($0.1) }) {
                total = Row(
                    replicas: pods, cpuRequest: try millicores(cells[3]), memoryRequest: try mebibytes(cells[4]),
                    cpuLimit: try millicores(cells[5]), memoryLimit: try mebibytes(cells[6]))
            }
        }
        return (rows, total)
    }

    /// Workloads of the rendered overlay, per replica (one row per Deployment or StatefulSet).
    /// Every rendered Deployment and StatefulSet, with the component that owns it.
    static func renderedRows() async throws -> [String: (row: Row, owner: String)] {
        let outcome = try await Shell.run("kubectl", ["kustomize", "k8s/overlays/local"])
        guard outcome.status == 0 else { throw RenderFailed(outcome: outcome) }
        var rows: [String: (row: Row, owner: String)] = [:]
        for document in try ManifestDocument.parseStream(outcome.output)
        where ["Deployment", "StatefulSet"].contains(document.kind) {
            let spec = try document.object()["spec"] as? [String: Any] ?? [:]
            let template = (spec["template"] as? [String: Any])?["spec"] as? [String: Any] ?? [:]
            var row = Row(replicas: spec["replicas"] as? Int ?? 1, cpuRequest: 0, memoryRequest: 0, cpuLimit: 0, memoryLimit: 0)
            for container in template["containers"] as? [[String: Any]] ?? [] {
                let resources = container["resources"] as? [String: Any] ?? [:]
                let requests = resources["requests"] as? [String: Any] ?? [:]
                let limits = resources["limits"] as? [String: Any] ?? [:]
                row.cpuRequest += try millicores("\(requests["cpu"] ?? "0")")
                row.memoryRequest += try mebibytes("\(requests["memory"] ?? "0")")
                row.cpuLimit += try millicores("\(limits["cpu"] ?? "0")")
                row.memoryLimit += try mebibytes("\(limits["memory"] ?? "0")")
            }
            rows[document.name] = (row, document.labels[ComponentLabel.key] ?? "")
        }
        return rows
    }

    /// The table covers the built-in components: every workload of a component it lists is
    /// in it; a component added later need not be (its budget is ResourceBudgetTests' job).
    @Test("every workload's row matches the rendered overlay, and the totals add up")
    func tableMatchesManifests() async throws {
        let documented = try Self.documentedRows(try Repository.read("k8s/README.md"))
        let all = try await Self.renderedRows()
        try #require(!all.isEmpty)
        let covered = Set(documented.rows.keys.compactMap { all[$0]?.owner })
        let rendered = all.filter { covered.contains($0.value.owner) }.mapValues(\.row)
        #expect(documented.rows == rendered)
        let total = rendered.values.reduce(Row(replicas: 0, cpuRequest: 0, memoryRequest: 0, cpuLimit: 0, memoryLimit: 0)) {
            Row(replicas: $0.replicas + $1.replicas,
                cpuRequest: $0.cpuRequest + $1.cpuRequest * $1.replicas,
                memoryRequest: $0.memoryRequest + $1.memoryRequest * $1.replicas,
                cpuLimit: $0.cpuLimit + $1.cpuLimit * $1.replicas,
                memoryLimit: $0.memoryLimit + $1.memoryLimit * $1.replicas)
        }
        #expect(documented.total == total)
    }

    static func millicores(_ text: String) throws -> Int {
        if text.hasSuffix("m"), let value = Int(text.dropLast()) { return value }
        if let value = Double(text) { return Int((value * 1000).rounded()) }
        throw Unreadable(text: text)
    }

    static func mebibytes(_ text: String) throws -> Int {
        if text.hasSuffix("Gi"), let value = Double(text.dropLast(2)) { return Int(value * 1024) }
        if text.hasSuffix("Mi"), let value = Double(text.dropLast(2)) { return Int(value) }
        if text == "0" { return 0 }
        throw Unreadable(text: text)
    }

    struct Unreadable: Error, CustomStringConvertible {
        var text: String
        var description: String { "unreadable quantity '\(text)'" }
    }

    struct RenderFailed: Error, CustomStringConvertible {
        var outcome: Shell.Outcome
        var description: String { "kubectl kustomize k8s/overlays/local failed:\n\(outcome)" }
    }

    @Test("the table reader finds rows and totals, so a wrong figure fails")
    func readerFindsRows() throws {
        let table = """
            | Workload | Kind | Replicas | CPU request | Memory request | CPU limit | Memory limit |
            | --- | --- | --- | --- | --- | --- | --- |
            | `redis` | Deployment | 1 | 100m | 128Mi | 250m | 256Mi |
            | **Total** | | 1 pods | **100m** | **128Mi** | **0.25** | **0.25Gi** |
            """
        let parsed = try Self.documentedRows(table)
        #expect(parsed.rows == ["redis": Row(replicas: 1, cpuRequest: 100, memoryRequest: 128, cpuLimit: 250, memoryLimit: 256)])
        #expect(parsed.total == Row(replicas: 1, cpuRequest: 100, memoryRequest: 128, cpuLimit: 250, memoryLimit: 256))
        #expect(parsed.rows != ["redis": Row(replicas: 1, cpuRequest: 200, memoryRequest: 128, cpuLimit: 250, memoryLimit: 256)])
    }
}
