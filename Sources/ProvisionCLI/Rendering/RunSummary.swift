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

    func success(showSecrets: Bool) -> String {
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
        // What a skipped component offers is not there (the edge the overlay did not select).
        let skipped = Set(report.steps.filter { $0.state == .skipped }.compactMap(\.component))
        for component in plan.steps where !component.accessNotes.isEmpty && !skipped.contains(component.id) {
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
                    // Never read here: the command that reads it, on this cluster's context.
                    let read = cluster.deployment.kubectl.clusterCommand(
                        ["get", "secret", name, "-n", namespace, "-o", "jsonpath={.data.\(key)}"], timeout: nil)
                    value = "\(key) of Secret \(namespace)/\(name): \(read) | base64 -d"
                }
                lines.append("  " + "\(note.label):".padding(toLength: 21, withPad: " ", startingAt: 0) + value)
            }
            if hidesSecrets { lines.append("                       (or run `provision up --show-secrets`)") }
        }
        lines += ["", "Generated secrets: \(cluster.vault.directory.path) (owner-only files, reused on every run)"]
        if showSecrets { lines += secretLines() }
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

    private func secretLines() -> [String] {
        var lines: [String] = ["", "Secrets (shown because of --show-secrets):"]
        for component in plan.steps {
            for spec in component.secrets {
                guard let values = try? cluster.vault.storedValues(of: spec.name) else { continue }
                lines.append("  \(spec.namespace)/\(spec.name):")
                for (key, value) in values { lines.append("    \(key)=\(value)") }
            }
        }
        return lines
    }
}
