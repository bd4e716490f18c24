import Testing
@testable import Kubernetes

/// The images a component's objects name, read from the objects as parsed once: what the kind
/// backend's caches warm up and mirror.
@Suite("Images of rendered objects")
struct ManifestImagesTests {
    @Test("pod templates of workloads, a CronJob's job template and a bare Pod; init containers first")
    func imagesOfEachKind() throws {
        let documents = try ManifestDocument.parseStream("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  initContainers: [{name: migrate, image: "ghcr.io/team/web:1"}]
                  containers: [{name: web, image: "ghcr.io/team/web:1"}, {name: proxy, image: "nginx:1.29"}]
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: backup}
            spec:
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers: [{name: dump, image: "postgres:15"}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: debug}
            spec:
              containers: [{name: shell, image: "busybox:1.37"}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {image: "not-an-image:1"}
            """)
        #expect(documents.map(\.images) == [
            ["ghcr.io/team/web:1", "ghcr.io/team/web:1", "nginx:1.29"], ["postgres:15"], ["busybox:1.37"], [],
        ])
    }
}
