import Foundation
import ProvisionCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
import Components
import RunHistory
#endif

/// The failures a laptop meets with the real kind, kubectl and docker, each through fakes that
/// answer as the real tools do (their sources are cited in Tests/Fixtures/fake-tools).
@Suite("failures of the real tools")
struct RealToolFailureTests {
    // MARK: 1. A child that does not read its standard input

    /// Adds a ConfigMap of the namespaces component larger than a pipe's buffer (64 KiB), so
    /// the write of its apply blocks until kubectl exits: a kubectl that does not read its
    /// stdin then closes the pipe under the write every time, not by chance.
    static func addLargeObject(to world: FakeWorld) throws {
        let overlay = world.repository.appending(path: "k8s/overlays/local")
        let payload = String(repeating: "x", count: 200 * 1024)
        try """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: large-payload
              namespace: default
              labels:
                wrightnow/component: namespaces
            data:
              payload: \(payload)

            """.write(to: overlay.appending(path: "large-payload.yaml"), atomically: true, encoding: .utf8)
        let kustomization = overlay.appending(path: "kustomization.yaml")
        let text = try String(contentsOf: kustomization, encoding: .utf8)
        let first = try #require(text.range(of: "  - ../../base\n"))
        try text.replacingCharacters(in: first, with: "  - ../../base\n  - large-payload.yaml\n")
            .write(to: kustomization, atomically: true, encoding: .utf8)
    }

    @Test("a kubectl that exits before reading its stdin fails the step with its own message, never SIGPIPE (3 runs)")
    func childClosesStandardInput() async throws {
        for attempt in 1...3 {
            // The apply is held before kubectl looks at its kubeconfig; meanwhile the kubeconfig
            // loses the context (another tool rewrote ~/.kube/config), so the real kubectl stops
            // before reading the manifest that provision is writing to its stdin.
            let world = try FakeWorld(environment: ["FAKE_BLOCK": "*apply --server-side*"])
            try Self.addLargeObject(to: world)
            world.environment["FAKE_BLOCK_UNTIL"] = world.releaseFile.path
            let running = try world.start(["up", "--only", "namespaces"])
            try await world.waitUntilBlocked(running)
            let lacks = world.fakeState.appending(path: "kubeconfig-lacks")
            try FileManager.default.createDirectory(at: lacks, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: lacks.appending(path: "kind-wrightnow").path, contents: Data())
            world.release()
            let result = await running.wait(limit: 60)
            #expect(result.exitCode == 1, "attempt \(attempt): \(result)")
            #expect(result.standardError.contains("the kubeconfig has no context `kind-wrightnow`"), "\(result)")
            #expect(result.standardError.contains("kind export kubeconfig --name wrightnow"))
            #expect(result.standardError.contains("error: context \"kind-wrightnow\" does not exist"))
            let recorded = try await world.lastRun()
            #expect(recorded.run.outcome == .failed, "the run is finished, not left running")
            #expect(recorded.steps.first { $0.component == "namespaces" }?.state == .failed)
        }
    }

    @Test("standard output closed early (provision plan | true): no signal, no message, exit 0 (5 runs)")
    func closedStandardOutput() async throws {
        let world = try FakeWorld()
        let binary = try #require(BuildProducts.provision)
        for _ in 1...5 {
            // `true` exits without reading: provision's first write meets a closed pipe.
            let result = try await ChildProcess.run(
                ["/bin/sh", "-c", "\"$0\" plan | true; \"$0\" history | true; echo \"status $?\"", binary.path],
                environment: world.environment, workingDirectory: world.repository, limit: 60)
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.standardError.isEmpty, "\(result)")
            #expect(result.standardOutput == "status 0\n", "\(result)")
        }
        // With pipefail the status of provision itself shows: 0, not 141 (128 + SIGPIPE).
        let bash = try await ChildProcess.run(
            ["/bin/bash", "-c", "set -o pipefail; \"$0\" plan | true", binary.path],
            environment: world.environment, workingDirectory: world.repository, limit: 60)
        #expect(bash.exitCode == 0, "\(bash)")
    }

    // MARK: 2. A cluster that exists but is stopped, or was made without the kind config

    @Test("a stopped kind node: up and status say so first, with `docker start`, and call no kubectl")
    func stoppedNode() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        // `docker stop wrightnow-control-plane`, or a reboot: kind still lists the cluster.
        try "exited\n".write(to: world.fakeState.appending(path: "clusters/wrightnow"), atomically: true, encoding: .utf8)
        try world.clearCalls()
        let up = try await world.run("up", "--only", "namespaces")
        #expect(up.exitCode == 3, "\(up)")
        #expect(up.standardError.contains("node container wrightnow-control-plane is exited"))
        #expect(up.standardError.contains("fix: start it: `docker start wrightnow-control-plane`"))
        #expect(world.calls(containing: "kubectl --context").isEmpty, "\(world.calls)")
        let status = try await world.run("status")
        #expect(status.exitCode == 3, "\(status)")
        #expect(status.standardError.contains("docker start wrightnow-control-plane"))
        #expect(world.calls(containing: "kubectl --context").isEmpty, "\(world.calls)")
        // The fix works: the node runs again and status answers.
        let start = try await ChildProcess.run(
            ["docker", "start", "wrightnow-control-plane"], environment: world.environment)
        #expect(start.exitCode == 0 && start.standardOutput == "wrightnow-control-plane\n", "\(start)")
        #expect(try await world.run("status", "--only", "namespaces").exitCode == 0)
    }

    @Test("a reused cluster made without the overlay's kind config is reported at preflight with the fix")
    func foreignCluster() async throws {
        let world = try FakeWorld()
        // `kind create cluster --name wrightnow` without --config: no host ports, no data mount.
        let created = try await ChildProcess.run(
            ["kind", "create", "cluster", "--name", "wrightnow"], environment: world.environment)
        #expect(created.exitCode == 0, "\(created)")
        try world.clearCalls()
        let up = try await world.run("up")
        #expect(up.exitCode == 3, "\(up)")
        #expect(up.standardError.contains("cluster wrightnow was not created from k8s/overlays/local/kind-cluster-config.yaml"))
        #expect(up.standardError.contains("host port \(world.hostPorts[0])"))
        #expect(up.standardError.contains("the data directory mount at /var/local-path-provisioner"))
        #expect(up.standardError.contains("fix: recreate it from the config: `provision down`"))
        #expect(world.calls(containing: " apply ").isEmpty, "\(world.calls)")
    }

    // MARK: 3. Taken ports and kind's own port errors

    @Test("kind create's port errors are named with their fix, for Linux and macOS",
          arguments: [
            ("port-allocated", "another container already publishes host port 80", "docker ps --filter publish=80"),
            ("address-in-use", "a program on this host listens on port 80", "sudo lsof -nP -iTCP:80 -sTCP:LISTEN"),
            ("permission-denied", "Docker may not bind port 80", "Allow privileged port mapping"),
          ])
    func kindPortErrors(failure: String, problem: String, fix: String) async throws {
        let world = try FakeWorld(environment: ["FAKE_KIND_CREATE_FAIL": failure])
        let result = try await world.run("up")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains(problem), "\(result)")
        #expect(result.standardError.contains(fix), "\(result)")
        #expect(!result.standardError.contains("its nodes are still there"), "kind cleaned up after these")
    }

    // MARK: 4. Port problems at the right step

    @Test("nothing answers on the published port: the edge's own step fails, before authentik", arguments: [
        ("local", "edge"), ("local-ingress-nginx", "ingress-nginx"),
    ])
    func edgeNotPublished(overlay: String, edge: String) async throws {
        let world = try FakeWorld(environment: ["FAKE_HTTP_DOWN": "1"])
        let result = try await world.run("up", "--only", edge, "--overlay", overlay)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("deploying `\(edge)` failed: \(edge): nothing answers on "
            + "http://localhost:\(world.hostPorts[0])/"), "\(result)")
        #expect(world.calls.contains("curl -sS --max-time 10 -o /dev/null -w %{http_code} http://localhost:\(world.hostPorts[0])/"))
        #expect(world.calls(containing: "-w %{http_code}").count == 5, "tried 5 times before giving up")
        let healthy = try FakeWorld()
        let fine = try await healthy.run("up", "--only", edge, "--overlay", overlay)
        #expect(fine.exitCode == 0, "\(fine)")
        #expect(healthy.calls(containing: "-w %{http_code}").count == 1)
    }

    // MARK: 5. Every blocking problem at once

    @Test("no kind, Docker stopped (docker 27: an empty line and exit 0) and a taken port: listed together, exit 3")
    func everyBlockingProblem() async throws {
        let world = try FakeWorld(
            environment: ["FAKE_DOCKER_DOWN": "1", "FAKE_DOCKER_VERSION": "27.5.1"], missingTools: ["kind"])
        let holder = try ListeningSocket(port: world.hostPorts[0])
        let result = try await world.provision("up")
        withExtendedLifetime(holder) {}
        #expect(result.exitCode == 3, "\(result)")
        let error = result.standardError
        #expect(error.contains("error: 3 problems must be fixed first:"), "\(result)")
        #expect(error.contains("1. kind is not installed (not found on PATH)"))
        #expect(error.contains("2. Docker is not running"))
        #expect(error.contains("3. port \(world.hostPorts[0]) is already allocated"))
        #expect(error.components(separatedBy: "fix: ").count - 1 == 4, "one fix per problem and one overall")
        // The error is printed once; the skipped steps are one line.
        #expect(!result.standardOutput.contains("Docker is not running"), "\(result)")
        let skipped = result.standardOutput.split(separator: "\n").filter { $0.contains("skipped") }
        #expect(skipped.count == 1, "\(result.standardOutput)")
        // Every step after preflight: starting the image caches, creating the cluster and one
        // deploy per planned component.
        let planned = try Plan(components: StackCatalog.all).order.count
        #expect(skipped.first?.contains("skipped  \(planned + 2) steps (start-caches, create-cluster, deploy ") == true, "\(skipped)")
        // The history's ERROR column heads the run with its first problem.
        let history = try await world.provision("history")
        #expect(history.standardOutput.contains("kind is not installed (not found on PATH) (+2 more)"), "\(history)")
    }

    // MARK: 6. down and status from any directory

    @Test("down and status work outside the repository, from what the creating run recorded")
    func downAndStatusFromAnywhere() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        let elsewhere = world.root.appending(path: "elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let binary = try #require(BuildProducts.provision).path

        let status = try await ChildProcess.run(
            [binary, "status", "--only", "namespaces"], environment: world.environment, workingDirectory: elsewhere, limit: 60)
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.standardOutput.contains("Cluster wrightnow exists"))

        let down = try await ChildProcess.run([binary, "down"], environment: world.environment, workingDirectory: elsewhere, limit: 60)
        #expect(down.exitCode == 0, "\(down)")
        #expect(down.standardOutput.contains("Kept the data directory \(world.dataDirectory.path)"), "\(down)")
        let purge = try await ChildProcess.run(
            [binary, "down", "--purge-data", "--yes"], environment: world.environment, workingDirectory: elsewhere, limit: 60)
        #expect(purge.exitCode == 0, "\(purge)")
        #expect(!FileManager.default.fileExists(atPath: world.dataDirectory.path))

        // Without any record either: status says what it can, down still deletes by name.
        let again = try await ChildProcess.run(
            [binary, "status"], environment: world.environment, workingDirectory: elsewhere, limit: 60)
        #expect(again.exitCode == 1 && again.standardOutput.contains("Cluster wrightnow does not exist"), "\(again)")
    }

    @Test("a missing kind is exit 3 with the install fix from up, down and status", arguments: ["up", "down", "status"])
    func missingToolEverywhere(command: String) async throws {
        let world = try FakeWorld(missingTools: ["kind"])
        let result = try await world.provision(command)
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.standardError.contains("kind is not installed (not found on PATH)"), "\(result)")
        #expect(result.standardError.hasPrefix("error: kind is not installed (not found on PATH)\n  fix: install kind v0.33.0 or newer")
            || result.standardError.contains("\nerror: kind is not installed (not found on PATH)\n  fix: install kind v0.33.0 or newer"),
            "\(result)")
    }

    // MARK: 7. State directory mistakes

    @Test("a state directory that is a file, cannot be created, or whose state.sqlite is a directory: exit 5",
          arguments: ["history", "status", "up", "down"])
    func stateDirectoryMistakes(command: String) async throws {
        let world = try FakeWorld()
        let file = world.root.appending(path: "a-file")
        try "not a directory\n".write(to: file, atomically: true, encoding: .utf8)
        let asFile = try await world.provision(command, environment: ["PROVISION_STATE_DIR": file.path])
        #expect(asFile.exitCode == 5, "\(asFile)")
        #expect(asFile.standardError.contains("the state directory \(file.path) is a file"), "\(asFile)")
        #expect(asFile.standardError.contains("fix: move the file away, or point PROVISION_STATE_DIR at"))

        let below = file.appending(path: "state")
        let cannot = try await world.provision(command, "--state-dir", below.path)
        #expect(cannot.exitCode == 5, "\(cannot)")
        #expect(cannot.standardError.contains("the state directory \(below.path) cannot be created"), "\(cannot)")
        #expect(cannot.standardError.contains("point --state-dir at"))

        let directory = world.root.appending(path: "odd-state")
        try FileManager.default.createDirectory(
            at: StateStore.file(in: directory), withIntermediateDirectories: true)
        let database = try await world.provision(command, "--state-dir", directory.path)
        #expect(database.exitCode == 5, "\(database)")
        #expect(database.standardError.contains("state.sqlite is a directory, not a file"), "\(database)")
        #expect(world.calls.isEmpty, "nothing runs before the state directory is usable: \(world.calls)")
    }

    @Test("history reads a copied, read-only database without changing it")
    func historyReadsACopyReadOnly() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "namespaces").exitCode == 0)
        let copy = world.root.appending(path: "copied-state")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let database = StateStore.file(in: copy)
        try FileManager.default.copyItem(at: StateStore.file(in: world.stateDirectory), to: database)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: database.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: copy.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path) }
        let before = try Data(contentsOf: database)
        let history = try await world.provision("history", "--state-dir", copy.path)
        #expect(history.exitCode == 0, "\(history)")
        #expect(history.standardOutput.contains("#1") && history.standardOutput.contains("succeeded"))
        // The database itself is untouched (SQLite may add its -wal and -shm files beside it).
        #expect(try Data(contentsOf: database) == before)
    }

    // MARK: 9. Input rules

    @Test("--only and --with: empty values refused, one quoted argument of ids works, --with of a default id refused")
    func selectionRules() async throws {
        let world = try FakeWorld()
        for flag in ["--only", "--with"] {
            let empty = try await world.provision("plan", flag, "")
            #expect(empty.exitCode == 2, "\(empty)")
            #expect(empty.standardError.contains("\(flag) needs at least one component id"), "\(empty)")
        }
        let quoted = try await world.provision("plan", "--only", "redis postgres-pgvector")
        #expect(quoted.exitCode == 0, "\(quoted)")
        #expect(quoted.standardOutput.contains("Plan: 4 components"), "\(quoted)")
        let notOptional = try await world.provision("plan", "--with", "authentik")
        #expect(notOptional.exitCode == 2, "\(notOptional)")
        #expect(notOptional.standardError.contains("--with takes optional components only; `authentik` is deployed anyway"))
        #expect(notOptional.standardError.contains("authentik-redis"))
    }

    @Test("history --component must name a component; --limit -1 names the rule")
    func historyRules() async throws {
        let world = try FakeWorld()
        let unknown = try await world.provision("history", "--component", "mysql")
        #expect(unknown.exitCode == 2, "\(unknown)")
        #expect(unknown.standardError.contains("unknown component `mysql` for --component"))
        let negative = try await world.provision("history", "--limit", "-1")
        #expect(negative.exitCode == 2, "\(negative)")
        #expect(negative.standardError.contains("--limit must be 1 or more (got -1)"), "\(negative)")
    }

    @Test("cluster names follow kind's rule: ^[a-z0-9.-]+$, at most 50 characters",
          arguments: [("Wright_Now", false), (String(repeating: "a", count: 51), false), ("team.wright-now2", true)])
    func clusterNames(name: String, valid: Bool) async throws {
        let world = try FakeWorld()
        let status = try await world.provision("status", "--cluster", name)
        if valid {
            #expect(status.exitCode == 1 && status.standardOutput.contains("Cluster \(name) does not exist"), "\(status)")
        } else {
            #expect(status.exitCode == 2, "\(status)")
            #expect(status.standardError.contains("(^[a-z0-9.-]+$), at most 50 characters"), "\(status)")
        }
    }

    // MARK: 11. kind's own side effects

    @Test("kind's switch of the current context is undone and said")
    func currentContextKept() async throws {
        let world = try FakeWorld()
        try world.addCluster("team-staging", context: "team-staging", makeCurrent: true)
        let result = try await world.run("up", "--only", "namespaces")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.standardOutput.contains("switched it back to `team-staging`"), "\(result)")
        #expect(try await world.lastRun().steps.first { $0.action == .createCluster }?.note?
            .contains("kind made `kind-wrightnow` kubectl's current context") == true)
        #expect(world.calls.contains("kubectl config use-context team-staging"))
        let current = try await ChildProcess.run(["kubectl", "config", "current-context"], environment: world.environment)
        #expect(current.standardOutput == "team-staging\n", "\(current)")
    }

    @Test("kind create that fails after starting the nodes leaves them: the fix says to remove them first")
    func failedCreateLeavesNodes() async throws {
        let world = try FakeWorld(environment: ["FAKE_KIND_CREATE_FAIL": "kubeconfig"])
        let result = try await world.run("up")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("kind could not create cluster wrightnow; its nodes are still there"))
        #expect(result.standardError.contains("`provision down` to remove the nodes"))
        #expect(result.standardError.contains("failed to lock config file"))
        #expect(world.calls.filter { $0 == "kind get clusters" }.count >= 2, "checked after the failure: \(world.calls)")
        #expect(try await world.run("down").exitCode == 0)
    }

    // MARK: 12. Server-side apply refusals

    @Test("a StatefulSet's immutable field: the object, the field and `delete --cascade=orphan`, no retry")
    func immutableStatefulSet() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "postgres-pgvector").exitCode == 0)
        let appliesOfAGoodRun = world.calls.filter { $0.contains(" apply ") }.count
        try world.clearCalls()
        let result = try await world.run("up", "--only", "postgres-pgvector", "--force", environment: ["FAKE_APPLY_IMMUTABLE": "StatefulSet/postgres"])
        #expect(result.exitCode == 1, "\(result)")
        let error = result.standardError
        #expect(error.contains("StatefulSet postgres in staging-infra: the manifests change fields of its spec"), "\(result)")
        #expect(error.contains("kubectl --context kind-wrightnow -n staging-infra delete statefulset postgres --cascade=orphan"))
        #expect(error.contains("the data is kept"))
        #expect(world.calls.filter { $0.contains(" apply ") }.count == appliesOfAGoodRun, "no retry: \(world.calls)")
    }

    @Test("a Deployment's selector: delete and apply again")
    func immutableSelector() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)
        let result = try await world.run("up", "--only", "redis", "--force", environment: ["FAKE_APPLY_IMMUTABLE": "Deployment/redis"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.standardError.contains("Deployment redis in staging-infra: the manifests change `spec.selector`"))
        #expect(result.standardError.contains("delete deployment redis"))
    }

    @Test("another field manager's change stops the apply with the manager named; --force-conflicts takes it")
    func fieldManagerConflict() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)
        let conflict = try await world.run("up", "--only", "redis", "--force", environment: ["FAKE_APPLY_CONFLICT": "Deployment/redis"])
        #expect(conflict.exitCode == 1, "\(conflict)")
        #expect(conflict.standardError.contains("changed by another field manager, `kubectl-edit`: .spec.replicas"))
        #expect(conflict.standardError.contains("provision up --force-conflicts"))
        let forced = try await world.run("up", "--only", "redis", "--force", "--force-conflicts", environment: ["FAKE_APPLY_CONFLICT": "Deployment/redis"])
        #expect(forced.exitCode == 0, "\(forced)")
        #expect(world.calls.contains { $0.contains("apply --server-side --field-manager=provision --force-conflicts -f -") })
    }

    @Test("objects Argo CD manages since the hand-over: up refuses to take its fields and says how to get them back")
    func argoCDOwnsTheFields() async throws {
        let world = try FakeWorld()
        #expect(try await world.run("up", "--only", "redis").exitCode == 0)
        let conflict = try await world.run(
            "up", "--only", "redis", "--force",
            environment: ["FAKE_APPLY_CONFLICT": "Deployment/redis", "FAKE_APPLY_CONFLICT_MANAGER": "argocd-controller"])
        #expect(conflict.exitCode == 1, "\(conflict)")
        #expect(conflict.standardError.contains(
            "Argo CD manages these objects now (field manager `argocd-controller`) and holds other values for .spec.replicas"))
        #expect(conflict.standardError.contains("change k8s/ in Git and let Argo CD sync it"))
        #expect(conflict.standardError.contains("-n argocd delete application NAME`: the objects stay), and run `provision up --force-conflicts`"))
        #expect(!world.calls.contains { $0.contains("--force-conflicts") }, "provision took Argo CD's fields")
    }

    // MARK: 8. Clear results

    @Test("Ctrl-C prints `interrupted`, never CancellationError()")
    func interruptedWording() async throws {
        let world = try FakeWorld(environment: ["FAKE_BLOCK": "*rollout status deployment/redis *"])
        let running = try world.start(["up", "--only", "redis"])
        try await world.waitUntilBlocked(running)
        running.signal(SIGINT)
        let result = await running.wait(limit: 120)
        #expect(result.exitCode == 130, "\(result)")
        #expect(!(result.standardOutput + result.standardError).contains("CancellationError"), "\(result)")
        #expect(result.standardOutput.contains("stopped  deploy redis"), "\(result)")
        #expect(result.standardOutput.contains(": interrupted"), "\(result)")
    }

    @Test("the fakes refuse a flag the real tool does not know, with its message and status")
    func fakesRefuseUnknownFlags() async throws {
        let world = try FakeWorld()
        world.expectsRefusedCalls = true
        let real = try #require(world.environment["REAL_KUBECTL"])
        let fake = try await ChildProcess.run(
            ["kubectl", "--context", "kind-x", "apply", "--server-side", "--frobnicate", "-f", "-"],
            environment: world.environment)
        let genuine = try await ChildProcess.run(
            [real, "--context", "kind-x", "apply", "--server-side", "--frobnicate", "-f", "-"],
            environment: world.environment)
        #expect(fake.exitCode == genuine.exitCode && fake.exitCode == 1, "\(fake)\n\(genuine)")
        #expect(fake.standardError == genuine.standardError, "\(fake)\n\(genuine)")
        #expect(fake.standardOutput == genuine.standardOutput)
        let kind = try await ChildProcess.run(["kind", "create", "cluster", "--nmae", "x"], environment: world.environment)
        #expect(kind.exitCode == 1 && kind.standardError == "ERROR: unknown flag: --nmae\n", "\(kind)")
        let docker = try await ChildProcess.run(["docker", "info", "--frmat", "x"], environment: world.environment)
        #expect(docker.exitCode == 125, "\(docker)")
        #expect(docker.standardError.hasPrefix("unknown flag: --frmat\n\nUsage:  docker info [OPTIONS]"), "\(docker)")
        #expect(world.refusedCalls.count == 3, "\(world.refusedCalls)")
    }
}
