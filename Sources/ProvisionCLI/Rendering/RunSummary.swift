import Backends
import Foundation
import ProvisionCore

/// The text `provision up` ends with: step times, what each component offers (its access
/// notes: URLs, how to log in), where the secrets are. It names no component itself.
struct RunSummary {
    let report: RunReport
    let plan: ProvisionCore.Plan
    let cluster: TargetCluster
    /// Wall-clock time of the whole command, steps overlapping or not.
    let elapsed: Duration

    func stepTable() -> String {
        // The run's error is printed once, after the table: its step points to it.
        let reported = report.problem == nil ? nil : report.steps.first { $0.state == .failed }?.id
        let rows: [[String]] = report.steps.map { (step: StepRecord) -> [String] in
            let took: String = step.durationSeconds.map { Format.duration(seconds: $0) } ?? "-"
            let text: String = step.id == reported ? "(the error below)" : step.error ?? step.note ?? ""
            return [step.label, step.state.rawValue, took, Format.summary(text, limit: 70)]
        }
        return "\nTime per step:\n"
            + Format.table(header: ["STEP", "STATE", "TIME", "NOTE"], rows: rows)
                .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }

    func success(showSecrets: Bool) async -> String {
        var lines: [String] = [stepTable(), ""]
        lines.append("The stack is up on \(cluster.provider.name) cluster \(cluster.spec.name) "
            + "(run \(report.runID), \(Format.duration(elapsed))).")
        if !report.toolVersions.isEmpty {
            lines.append("Tools: " + report.toolVersions.map(\.description).joined(separator: ", "))
        }
        // What the cluster step said beyond created or reused (a current context put back).
        if let note = report.steps.first(where: { $0.action == .createCluster })?.note {
            for part in note.components(separatedBy: "; ").dropFirst() {
                lines.append("Note: " + part + ".")
            }
        }
        for component in offering where !component.accessNotes.isEmpty {
            lines += ["", "\(component.id):"]
            var hidesSecrets = false
            for note in component.accessNotes {
                let value: String
                switch note.value {
                case .text(let text):
                    value = text
                case .secret(let name, let key):
                    // Where the value is kept; --show-secrets lists the values further down.
                    value = "\(key) in \(cluster.vault.fileURL(for: name).path)"
                    hidesSecrets = !showSecrets
                case .clusterSecret(let namespace, let name, let key):
                    // The command that reads it, on this cluster's context; --show-secrets reads it.
                    value = "\(key) of Secret \(namespace)/\(name): \(readCommand(namespace, name, key))"
                    hidesSecrets = !showSecrets
                }
                lines.append("  " + "\(note.label):".padding(toLength: 21, withPad: " ", startingAt: 0) + value)
            }
            if hidesSecrets { lines.append("                       (or run `provision up --show-secrets`)") }
        }
        lines += ["", "Generated secrets: \(cluster.vault.directory.path) (owner-only files, reused on every run)"]
        if showSecrets { lines += await secretLines() }
        lines += [
            "",
            "History of this run: provision history \(report.runID.rawValue)",
            "Tear down: " + teardown,
        ]
        return lines.joined(separator: "\n")
    }

    /// `provision down` for this backend; what it keeps when the provider keeps a data directory.
    var teardown: String {
        // The flags that name this cluster again, and no more.
        let command = "provision down"
            + (cluster.backend.name == BackendRegistry.default.name ? "" : " --backend \(cluster.backend.name)")
            + (cluster.backend.takesContext ? " --context \(cluster.provider.kubeContext(for: cluster.spec))" : "")
            + (cluster.spec.name == TargetOptions.defaultCluster ? "" : " --cluster \(cluster.spec.name)")
        let keepsData = ((try? cluster.provider.dataDirectory(for: cluster.spec)) ?? nil) != nil
        return keepsData ? command + "   (keeps the data directory; --purge-data deletes it)" : command
    }

    /// The components whose access notes hold: a skipped one's are not there (the edge the
    /// overlay did not select).
    private var offering: [any Component] {
        let skipped = Set(report.steps.filter { $0.state == .skipped }.compactMap(\.component))
        return plan.steps.filter { !skipped.contains($0.id) }
    }

    /// `kubectl ... get secret ... | base64 -d`, as a user types it.
    private func readCommand(_ namespace: String, _ name: String, _ key: String) -> String {
        "\(cluster.deployment.kubectl.secretValueCommand(name: name, namespace: namespace, key: key)) | base64 -d"
    }

    private func secretLines() async -> [String] {
        var lines: [String] = ["", "Secrets (shown because of --show-secrets):"]
        for component in plan.steps {
            for spec in component.secrets {
                guard let values = try? cluster.vault.storedValues(of: spec.name) else { continue }
                lines.append("  \(spec.namespace)/\(spec.name):")
                for (key, value) in values { lines.append("    \(key)=\(value)") }
            }
        }
        // Values the components' own software wrote in the cluster, read only now that they are
        // asked for. The run is recorded already: a value that is not there is a line, not a failure.
        for component in offering {
            for case .clusterSecret(let namespace, let name, let key) in component.accessNotes.map(\.value) {
                lines.append("  \(namespace)/\(name):")
                let later = "      " + readCommand(namespace, name, key)
                do {
                    if let value = try await cluster.deployment.kubectl.secretValue(name: name, namespace: namespace, key: key) {
                        lines.append("    \(key)=\(value)")
                    } else {
                        lines += ["    \(key): not in the cluster (not written yet, or deleted); read it later with:", later]
                    }
                } catch {
                    // kubectl's refusal (its standard error only: the error never holds the value).
                    lines += ["    \(key): could not be read; read it later with:", later]
                    lines += String(describing: error).split(separator: "\n").map { "      " + $0 }
                }
            }
        }
        return lines
    }
}
