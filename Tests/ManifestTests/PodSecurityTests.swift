import Testing

@Suite("Pods meet the restricted Pod Security Standard")
struct PodSecurityTests {
    @Test("every rendered pod is restricted", arguments: Kustomization.allCases)
    func renderedPodsAreRestricted(_ kustomization: Kustomization) async throws {
        let rendering = try await RenderCache.shared.rendering(of: kustomization)
        #expect(RestrictedPodSecurity.problems(in: rendering.objects) == [])
    }

    @Test("every namespace enforces the restricted profile")
    func namespacesEnforceRestricted() async throws {
        let namespaces = try await RenderCache.shared.rendering(of: .localOverlay).objects(ofKind: "Namespace")
        // The four staging namespaces, and Argo CD's (empty unless `provision up --with argocd`).
        #expect(namespaces.map(\.name).sorted() == ["argocd", "staging-ai", "staging-core", "staging-infra", "staging-web"])
        for namespace in namespaces {
            #expect(namespace.labels["pod-security.kubernetes.io/enforce"] == "restricted", "\(namespace)")
        }
    }

    @Test("each broken rule is reported")
    func brokenRulesAreReported() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let container = "spec.template.spec.containers.0"
        let cases: [(String, Any?, String)] = [
            ("\(container).securityContext.allowPrivilegeEscalation", true,
             "container redis does not set allowPrivilegeEscalation: false"),
            ("\(container).securityContext.capabilities.drop", ["NET_RAW"], "container redis does not drop ALL capabilities"),
            ("\(container).securityContext.capabilities.add", ["SYS_ADMIN"], "container redis adds capability SYS_ADMIN"),
            ("\(container).securityContext.runAsUser", 0, "container redis runs as uid 0"),
            ("spec.template.spec.securityContext.seccompProfile", nil, "container redis has no seccompProfile RuntimeDefault"),
            ("spec.template.spec.securityContext.runAsNonRoot", nil, "container redis does not set runAsNonRoot: true"),
            ("spec.template.spec.hostNetwork", true, "sets hostNetwork"),
            ("spec.template.spec.volumes.0.hostPath", ["path": "/var/run"], "volume data uses hostPath"),
            ("spec.template.spec.automountServiceAccountToken", nil, "mounts a service-account token"),
        ]
        for (path, value, expected) in cases {
            let broken = objects.replacing("Deployment", "redis") { $0.setting(path, to: value) }
            let problems = RestrictedPodSecurity.problems(in: broken)
            #expect(problems.count == 1 && problems[0].contains(expected), "\(path) -> \(problems)")
        }
    }

    @Test("a written reason is accepted as an exception")
    func writtenExceptionIsAccepted() async throws {
        let objects = try await RenderCache.shared.rendering(of: .localOverlay).objects
        let broken = objects.replacing("Deployment", "redis") {
            $0.setting("spec.template.spec.hostNetwork", to: true)
                .setting("spec.template.metadata.annotations", to: [
                    RestrictedPodSecurity.exceptionAnnotation: "needs the node's network for a benchmark",
                ])
        }
        #expect(RestrictedPodSecurity.problems(in: broken) == [])
    }
}
