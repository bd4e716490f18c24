import Foundation
import Testing
import TestSupport

/// The module boundaries docs/architecture.md promises, read from the sources: what each
/// module imports is what its "Knows about" column says.
@Suite("Module boundaries")
struct ArchitectureTests {
    static func sources(of module: String) throws -> [(path: String, text: String)] {
        let root = Repository.root.appending(path: "Sources/\(module)")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [(String, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            files.append((url.path, try String(contentsOf: url, encoding: .utf8)))
        }
        return files
    }

    static func imports(of module: String) throws -> Set<String> {
        Set(try sources(of: module).flatMap { file in
            file.text.matches(of: /(?m)^import (\w+)/).map { String($0.1) }
        })
    }

    @Test("ProvisionCore imports no YAML library and never names kubectl")
    func coreKnowsNoKubernetesTooling() throws {
        let files = try Self.sources(of: "ProvisionCore")
        try #require(!files.isEmpty)
        #expect(!(try Self.imports(of: "ProvisionCore")).contains("Yams"))
        for file in files {
            #expect(!file.text.lowercased().contains("kubectl"), "\(file.path) names kubectl")
        }
    }

    /// The modules under Sources/ (plus TestSupport, which the benchmark imports).
    static var projectModules: Set<String> {
        get throws {
            Set(try FileManager.default.contentsOfDirectory(atPath: Repository.root.appending(path: "Sources").path))
                .union(["TestSupport"])
        }
    }

    /// docs/architecture.md's module table: each module and the project modules its "Knows
    /// about" column names (in backticks).
    static func documentedKnowledge() throws -> [String: Set<String>] {
        let doc = try Repository.read("docs/architecture.md")
        let project = try projectModules
        var table: [String: Set<String>] = [:]
        for line in doc.split(separator: "\n") {
            guard let row = line.wholeMatch(of: /\| `([\w-]+)` \|.*\|([^|]*)\|/) else { continue }
            let named = row.2.matches(of: /`([\w-]+)`/).map { String($0.1) }.filter { project.contains($0) }
            table[String(row.1)] = Set(named)
        }
        return table
    }

    /// The "Knows about" column is what the module imports of this project, no more and no less.
    @Test("each module imports exactly the project modules its row in the module table names")
    func moduleImports() throws {
        let project = try Self.projectModules
        let documented = try Self.documentedKnowledge()
        for module in try FileManager.default.contentsOfDirectory(atPath: Repository.root.appending(path: "Sources").path) {
            let known = try #require(documented[module], "docs/architecture.md's module table lacks `\(module)`")
            let used = try Self.imports(of: module).intersection(project)
            #expect(used == known, "\(module) imports \(used.sorted()); its row names \(known.sorted())")
        }
    }
}
