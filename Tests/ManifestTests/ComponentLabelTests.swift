import Components
import Foundation
import Kubernetes
import ProcessRunning
import TestSupport
import ProvisionCore
import Testing

/// The `wrightnow/component` label ties k8s/ to the components `provision` registers.
@Suite("Component labels tie k8s/ to the registered components")
struct ComponentLabelTests {
    @Test("every object carries a known component label", arguments: Kustomization.allCases)
    func everyObjectIsLabelled(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(ComponentLabels.problems(in: rendering.objects) == [])
    }

    @Test("a missing or unknown label is reported")
    func brokenLabelsAreReported() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let unlabelled = objects.replacing("ConfigMap", "postgres-config") {
            $0.setting("metadata.labels", to: ["app": "postgres"])
        }
        #expect(ComponentLabels.problems(in: unlabelled) == ["ConfigMap/staging-infra/postgres-config has no wrightnow/component label"])
        let unknown = objects.replacing("Deployment", "redis") {
            $0.setting("metadata.labels.wrightnow/component", to: "cache")
        }
        #expect(ComponentLabels.problems(in: unknown) == [
            "Deployment/staging-infra/redis has the unknown component id cache",
            "Deployment/staging-infra/redis pod template does not carry wrightnow/component: cache",
        ])
    }

    @Test("the known ids are exactly the registered components")
    func knownIDsMatchTheCatalog() {
        #expect(Set(StackCatalog.all.map(\.id.rawValue)) == ComponentLabels.knownIDs)
    }

    @Test("each registered component finds its objects where it looks for them")
    func catalogFindsItsObjects() async throws {
        let overlay = try await RenderCache.shared.rendering(of: .localOverlay)
        for component in StackCatalog.all {
            let id = component.id.rawValue
            switch component.resources {
            case .overlay:
                #expect(overlay.objects.contains { $0.labels[ComponentLabel.key] == id }, "no object labelled \(id) in the local overlay")
            case .kustomization(let path):
                let result = try await ChildProcess.run(["kubectl", "kustomize", Repository.k8s.appending(path: path).path])
                #expect(result.succeeded, "\(result.description)")
                let objects = try KubeObject.parseAll(result.standardOutput)
                #expect(!objects.isEmpty && objects.allSatisfy { $0.labels[ComponentLabel.key] == id }, "k8s/\(path)")
                #expect(!overlay.objects.contains { $0.labels[ComponentLabel.key] == id }, "\(id) is optional: not in the default overlay")
            case .pinnedManifest(let name):
                // Some overlay selects it, pinned to release tags (never a branch).
                let files = try Kustomization.allCases.compactMap { kustomization in
                    try KubernetesDeployment(
                        kubectl: Kubectl(runner: SubprocessCommandRunner(), context: "x"),
                        manifests: ManifestSource(runner: SubprocessCommandRunner()),
                        vault: SecretVault(directory: URL(filePath: "/nonexistent")),
                        cluster: ClusterSpec(name: "x", manifestsRoot: Repository.k8s,
                                             overlay: URL(filePath: kustomization.rawValue).lastPathComponent)
                    ).pinFile(name)
                }
                #expect(!files.isEmpty, "no overlay selects \(name) for \(id)")
                for file in files {
                    for pin in try ManifestPin.loadAll(from: file.url) {
                        let tagged = pin.url.absoluteString.contains(/\/(controller-)?v\d+\.\d+\.\d+\//)
                        #expect(tagged, "\(file.shown): \(pin.url) must name a release tag")
                    }
                }
            }
        }
    }

    @Test("the Secrets provision generates match the documented ones, key by key")
    func secretSpecsMatchDocumentation() throws {
        let documented = try Repository.k8sFiles(named: "secrets.example.yaml").flatMap { file in
            try KubeObject.parseAll(String(contentsOf: file, encoding: .utf8)).filter { $0.kind == "Secret" }
        }
        let specs = StackCatalog.all.flatMap(\.secrets)
        #expect(Set(specs.map(\.name)) == Set(documented.map(\.name)))
        for spec in specs {
            let example = try #require(documented.first { $0.name == spec.name }, "\(spec.name) is not documented")
            #expect(example.namespace == spec.namespace)
            let values = Tree.stringDictionary(example.raw["stringData"])
            #expect(Set(values.keys) == Set(spec.keys.map(\.key)), "\(spec.name)")
            for entry in spec.keys {
                if case .literal(let literal) = entry.value {
                    #expect(values[entry.key] == literal, "\(spec.name).\(entry.key)")
                }
            }
        }
    }
}
