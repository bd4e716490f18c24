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

    /// The module table's "Knows about" column, as imports of this project's modules.
    @Test("each module imports only the project modules the architecture allows",
          arguments: [
            ("ProvisionCore", Set<String>()),
            ("Kubernetes", ["ProvisionCore"]),
            ("Backends", ["ProvisionCore"]),
            ("Components", ["ProvisionCore"]),
          ] as [(String, Set<String>)])
    func moduleImports(module: String, allowed: Set<String>) throws {
        let project: Set<String> = ["ProvisionCore", "Kubernetes", "Backends", "Components", "provision"]
        let used = try Self.imports(of: module).intersection(project)
        #expect(used.isSubset(of: allowed), "\(module) imports \(used.subtracting(allowed).sorted())")
    }

    @Test("the module table in docs/architecture.md names every module under Sources/")
    func moduleTableIsComplete() throws {
        let doc = try Repository.read("docs/architecture.md")
        let modules = try FileManager.default.contentsOfDirectory(atPath: Repository.root.appending(path: "Sources").path)
        for module in modules where module != "provision-bench" {
            #expect(doc.contains("| `\(module)` |"), "docs/architecture.md's module table lacks `\(module)`")
        }
    }
}
