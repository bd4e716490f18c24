import Backends
import Foundation
import ProvisionCore
import TestSupport
import Testing

private struct Nothing: Component {
    let id: ComponentID = "nothing"
    let summary = "nothing"
}

@Suite("backend registry and cloud stubs")
struct BackendRegistryTests {
    static let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: URL(filePath: "/nonexistent/k8s"), overlay: "local")

    @Test func kindIsTheDefaultAndBuildsAKindBackend() throws {
        #expect(BackendRegistry.defaultName == "kind")
        #expect(BackendRegistry.names == ["kind", "gke", "eks", "aks"])
        let backend = try BackendRegistry.make(name: "kind", runner: ScriptedRunner(), stateDirectory: URL(filePath: "/tmp/x"))
        #expect(backend is KindBackend)
        #expect(backend.name == "kind")
        #expect(backend.kubeContext(for: Self.cluster) == "kind-wrightnow")
    }

    @Test func unknownBackendListsTheValidNames() {
        #expect {
            try BackendRegistry.make(name: "minikube", runner: ScriptedRunner(), stateDirectory: URL(filePath: "/tmp/x"))
        } throws: { error in
            "\(error)".contains("unknown backend `minikube`") && "\(error)".contains("kind, gke, eks, aks")
        }
    }

    /// Every operation of every cloud stub stops with the same honest error, runs no command,
    /// and nothing reports success.
    @Test(arguments: ["gke", "eks", "aks"])
    func cloudStubsRefuseEverything(name: String) async throws {
        let runner = ScriptedRunner()
        let backend = try BackendRegistry.make(name: name, runner: runner, stateDirectory: URL(filePath: "/tmp/x"))
        #expect(backend.name == name)
        func check(_ error: any Error) -> Bool {
            let text = "\(error)"
            return text.hasPrefix("the \(name) backend is not implemented yet")
                && text.contains("once implemented it will create or reuse")
                && text.contains("docs/kubernetes-setup.md#cloud-migration")
        }
        await #expect { try await backend.preflight(Self.cluster, creatingCluster: true) } throws: { check($0) }
        await #expect { try await backend.clusterExists(Self.cluster) } throws: { check($0) }
        await #expect { try await backend.ensureCluster(Self.cluster) } throws: { check($0) }
        await #expect { try await backend.deleteCluster(Self.cluster) } throws: { check($0) }
        await #expect { try await backend.apply(Nothing(), to: Self.cluster) } throws: { check($0) }
        await #expect { try await backend.waitUntilReady(Nothing(), in: Self.cluster, timeout: .seconds(1)) } throws: { check($0) }
        await #expect { try await backend.smokeCheck(Nothing(), in: Self.cluster) } throws: { check($0) }
        #expect(runner.calls.isEmpty)
    }

    /// The stubs send users to docs/kubernetes-setup.md#cloud-migration: that anchor must exist
    /// (a heading whose GitHub slug is `cloud-migration`, or an explicit id).
    @Test func theDocumentedCloudSectionExists() throws {
        let guide = Repository.root.appending(path: "docs/kubernetes-setup.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        let anchor = String(UnimplementedCloudBackend.documentation.split(separator: "#").last!)
        let slugs = text.split(separator: "\n").filter { $0.hasPrefix("#") }.map { heading in
            String(heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
                .compactMap { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : ($0 == " " ? "-" : nil) })
        }
        #expect(slugs.contains(anchor) || text.contains("id=\"\(anchor)\""),
                "docs/kubernetes-setup.md has no #\(anchor) anchor; headings: \(slugs)")
    }
}
