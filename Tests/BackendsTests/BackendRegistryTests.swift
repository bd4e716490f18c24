import Backends
import Foundation
import ProvisionCore
import TestSupport
import Testing

@Suite("backend registry and cloud stubs")
struct BackendRegistryTests {
    static let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: URL(filePath: "/nonexistent/k8s"), overlay: "local")

    @Test func kindIsTheDefaultAndEveryNameBuildsItsProvider() throws {
        #expect(BackendName.default == .kind)
        #expect(BackendName.allCases.map(\.rawValue) == ["kind", "existing", "gke", "eks", "aks"])
        for name in BackendName.allCases {
            #expect(BackendRegistry.provider(name, runner: ScriptedRunner()).name == name.rawValue)
        }
        let kind = BackendRegistry.provider(.kind, runner: ScriptedRunner())
        #expect(kind.kubeContext(for: Self.cluster) == "kind-wrightnow")
    }

    /// Every lifecycle operation of every cloud stub stops with the same honest problem, runs no
    /// command, and nothing reports success. They implement the provider protocol only.
    @Test(arguments: ["gke", "eks", "aks"])
    func cloudStubsRefuseEverything(name: String) async throws {
        let runner = ScriptedRunner()
        let backend = BackendRegistry.provider(try #require(BackendName(rawValue: name)), runner: runner)
        #expect(backend.name == name)
        #expect(try backend.dataDirectory(for: Self.cluster) == nil)
        func check(_ error: any Error) -> Bool {
            let text = "\(error)"
            return text.hasPrefix("the \(name) backend is not implemented yet")
                && text.contains("once implemented it will create or reuse")
                && text.contains("docs/kubernetes-setup.md#cloud-migration")
        }
        await #expect { try await backend.preflight(Self.cluster, creatingCluster: true) } throws: { check($0) }
        await #expect { try await backend.clusterExists(Self.cluster) } throws: { check($0) }
        await #expect { try await backend.ensureCluster(Self.cluster, exists: false) } throws: { check($0) }
        await #expect { try await backend.deleteCluster(Self.cluster) } throws: { check($0) }
        await #expect { try await backend.preflight(Self.cluster, creatingCluster: false) } throws: { error in
            (error as? Problem)?.kind == .notImplemented
        }
        #expect(runner.calls.isEmpty)
    }

    /// The stubs send users to docs/kubernetes-setup.md#cloud-migration: that anchor must exist
    /// (a heading whose GitHub slug is `cloud-migration`, or an explicit id).
    @Test func theDocumentedCloudSectionExists() throws {
        let guide = Repository.root.appending(path: "docs/kubernetes-setup.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        let anchor = String(UnimplementedCloudProvider.documentation.split(separator: "#").last!)
        let slugs = text.split(separator: "\n").filter { $0.hasPrefix("#") }.map { heading in
            String(heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
                .compactMap { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : ($0 == " " ? "-" : nil) })
        }
        #expect(slugs.contains(anchor) || text.contains("id=\"\(anchor)\""),
                "docs/kubernetes-setup.md has no #\(anchor) anchor; headings: \(slugs)")
    }
}
