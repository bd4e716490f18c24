import Backends
import Foundation
import ProvisionCore
import Synchronization
import TestSupport
import Testing

@Suite("backend registry and cloud stubs")
struct BackendRegistryTests {
    static let cluster = ClusterSpec(name: "wrightnow", manifestsRoot: URL(filePath: "/nonexistent/k8s"), overlay: "local")

    @Test func kindIsTheDefaultAndEveryBackendMakesItsOwnProvider() async throws {
        #expect(BackendRegistry.default.name == "kind")
        #expect(Set(BackendRegistry.all.map(\.name)).count == BackendRegistry.all.count, "backend names are unique")
        for backend in BackendRegistry.all {
            let request = BackendRequest(runner: ScriptedRunner(), context: backend.takesContext ? "team-staging" : nil)
            #expect(try await backend.makeProvider(request).name == backend.name)
        }
        let kind = try await BackendRegistry.default.makeProvider(BackendRequest(runner: ScriptedRunner()))
        #expect(kind.kubeContext(for: Self.cluster) == "kind-wrightnow")
    }

    /// Each backend's own rules, which the command line applies without knowing its name.
    @Test func backendsCarryTheirCommandLineRules() throws {
        let kind = try #require(BackendRegistry.named("kind"))
        #expect(kind.clusterNameProblem("wrightnow") == nil)
        #expect(kind.clusterNameProblem("Wright_Now")?.contains("^[a-z0-9.-]+$") == true)
        #expect(kind.clusterNameProblem(String(repeating: "a", count: 51)) != nil)
        #expect(!kind.takesContext)
        let existing = try #require(BackendRegistry.named("existing"))
        #expect(existing.takesContext)
        #expect(existing.clusterNameProblem("Any_Name") == nil)
        #expect(BackendRegistry.named("k3d") == nil)
    }

    /// Without `--context`, the existing backend resolves kubectl's current context once and says so.
    @Test func existingResolvesTheCurrentContextOnce() async throws {
        let runner = ScriptedRunner()
        runner.on("kubectl", "config", "current-context", answers: .output(stdout: "team-staging\n"))
        let said = Mutex<[String]>([])
        let backend = try #require(BackendRegistry.named("existing"))
        let provider = try await backend.makeProvider(BackendRequest(runner: runner, say: { line in said.withLock { $0.append(line) } }))
        #expect(provider.kubeContext(for: Self.cluster) == "team-staging")
        #expect(said.withLock { $0 } == ["Using kubectl's current context `team-staging` (pass --context to choose another)."])
        #expect(runner.calls.count == 1)
    }

    /// Every lifecycle operation of every cloud stub stops with the same honest problem, runs no
    /// command, and nothing reports success. They implement the provider protocol only.
    @Test(arguments: ["gke", "eks", "aks"])
    func cloudStubsRefuseEverything(name: String) async throws {
        let runner = ScriptedRunner()
        let backend = try await #require(BackendRegistry.named(name)).makeProvider(BackendRequest(runner: runner))
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
