import Components
import Foundation
import ProvisionCore

/// The text `provision up` ends with: step times, URLs, how to log in, where things are.
struct RunSummary {
    let report: RunReport
    let plan: ProvisionCore.Plan
    let context: ClusterContext
    let toolVersions: [ToolVersion]
    /// Wall-clock time of the whole command, steps overlapping or not.
    let elapsed: Duration

    func stepTable() -> String {
        let rows: [[String]] = report.steps.map { (step: StepRecord) -> [String] in
            let took: String = step.durationSeconds.map { Format.duration(seconds: $0) } ?? "-"
            let text: String = step.error ?? step.note ?? ""
            return [step.label, step.state.rawValue, took, Format.summary(text, limit: 70)]
        }
        return "\nTime per step:\n"
            + Format.table(header: ["STEP", "STATE", "TIME", "NOTE"], rows: rows)
                .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }

    func success(showSecrets: Bool) -> String {
        var lines: [String] = [stepTable(), ""]
        lines.append("The stack is up on \(context.backend.name) cluster \(context.spec.name) "
            + "(run \(report.runID), \(Format.duration(elapsed))).")
        if !toolVersions.isEmpty {
            lines.append("Tools: " + toolVersions.map(\.description).joined(separator: ", "))
        }
        if plan.component(AuthentikComponent().id) != nil {
            let secrets = context.vault.fileURL(for: "authentik-credentials").path
            lines += [
                "",
                "authentik:",
                "  URL:                 \(AuthentikComponent.url)",
                "  first-run setup:     http://localhost/auth/if/flow/initial-setup/",
                "  log in as:           \(AuthentikComponent.bootstrapUser)",
                "  password:            AUTHENTIK_BOOTSTRAP_PASSWORD in \(secrets)",
            ]
            if !showSecrets { lines.append("                       (or run `provision up --show-secrets`)") }
        }
        lines += ["", "Generated secrets: \(context.vault.directory.path) (owner-only files, reused on every run)"]
        if showSecrets { lines += secretLines() }
        lines += [
            "",
            "History of this run: provision history \(report.runID.rawValue)",
            "Tear down: provision down   (keeps the data directory; --purge-data deletes it)",
        ]
        return lines.joined(separator: "\n")
    }

    private func secretLines() -> [String] {
        var lines: [String] = ["", "Secrets (shown because of --show-secrets):"]
        for component in plan.steps {
            for spec in component.secrets {
                guard let values = try? context.vault.storedValues(of: spec.name) else { continue }
                lines.append("  \(spec.namespace)/\(spec.name):")
                for (key, value) in values { lines.append("    \(key)=\(value)") }
            }
        }
        return lines
    }
}
