import Backends
import Foundation
import ProvisionCore
import TestSupport

/// A temporary "repository" with a copy of the real kind config, a scripted runner,
/// a proc tree with healthy inotify limits, and a KindProvider on top.
struct KindFixture {
    let temporary: TemporaryDirectory
    let runner = ScriptedRunner()
    let cluster: ClusterSpec
    let backend: KindProvider
    var repositoryRoot: URL { temporary.url.appending(path: "repo") }
    var stateDirectory: URL { temporary.url.appending(path: "state") }
    var procRoot: URL { temporary.url.appending(path: "proc") }
    var configFile: URL { cluster.overlayDirectory.appending(path: KindProvider.configFileName) }

    /// - Parameter configEdit: changes applied to the real kind config text before it is written.
    init(portChecker: any PortChecker = AlwaysFree(), configEdit: (String) -> String = { $0 }) throws {
        temporary = try TemporaryDirectory()
        let real = try String(
            contentsOf: Repository.k8s.appending(path: "overlays/local/kind-cluster-config.yaml"), encoding: .utf8)
        _ = try temporary.write(configEdit(real), to: "repo/k8s/overlays/local/kind-cluster-config.yaml")
        _ = try temporary.write("524288\n", to: "proc/sys/fs/inotify/max_user_watches")
        _ = try temporary.write("8192\n", to: "proc/sys/fs/inotify/max_user_instances")
        cluster = ClusterSpec(
            name: "wrightnow", manifestsRoot: temporary.url.appending(path: "repo/k8s"), overlay: "local")
        backend = KindProvider(
            runner: runner, procRoot: temporary.url.appending(path: "proc"), portChecker: portChecker)
    }

    /// Answers the three version commands and `docker info` like a healthy machine (a kubectl
    /// within one minor version of the node image's Kubernetes 1.37).
    func scriptHealthyTools() {
        runner.on("kind", "version", answers: .output(stdout: "kind v0.33.0 go1.25.1 linux/amd64\n"))
        runner.on("kubectl", "version", answers: .output(stdout: "Client Version: v1.37.1\nKustomize Version: v5.8.1\n"))
        runner.on("docker", "version", answers: .output(stdout: "28.2.2\n"))
        runner.on("docker", "info", answers: .output(stdout: "28.2.2\n"))
    }
}

struct AlwaysFree: PortChecker {
    func availability(ofTCPPort port: Int, address: String) -> PortAvailability { .free }
}

struct CannotCheck: PortChecker {
    func availability(ofTCPPort port: Int, address: String) -> PortAvailability {
        .cannotCheck("binding port \(port) needs root privileges")
    }
}
