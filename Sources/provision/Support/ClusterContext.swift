import ArgumentParser
import Backends
import Foundation
import ProvisionCore

/// What every command that touches a cluster needs: the runner, the backend, the spec.
struct ClusterContext {
    let spec: ClusterSpec
    let runner: any CommandRunner
    let backend: any ClusterBackend
    let stateDirectory: URL

    init(target: TargetOptions, state: StateOptions) throws {
        spec = try target.clusterSpec()
        runner = SubprocessCommandRunner()
        stateDirectory = state.directory
        do {
            backend = try BackendRegistry.make(name: target.backend, runner: runner, stateDirectory: stateDirectory)
        } catch let error as BackendError {
            throw ProvisionFailure(error.problem, fix: error.fix, exitCode: ProvisionExit.usage)
        }
    }

    /// The command line as recorded in the history: `provision up --only redis`.
    static var commandLine: [String] {
        ["provision"] + CommandLine.arguments.dropFirst()
    }

    func invocation() async -> RunInvocation {
        RunInvocation(
            commandLine: Self.commandLine,
            toolVersion: ProvisionVersion.current,
            manifestsRevision: await GitRevision.of(manifests: spec.manifestsRoot, runner: runner))
    }

    /// The generated secrets of this cluster (the same files the backend uses).
    var vault: SecretVault { SecretVault(stateDirectory: stateDirectory, cluster: spec.name) }
}
