import Foundation
import ProvisionCore

/// kind's documented minimum inotify limits: below them, pods fail with
/// "too many open files" once a few run (see kind's known-issues page).
enum InotifyLimits {
    static let minimums: [(setting: String, file: String, minimum: Int)] = [
        ("fs.inotify.max_user_watches", "sys/fs/inotify/max_user_watches", 524_288),
        ("fs.inotify.max_user_instances", "sys/fs/inotify/max_user_instances", 512),
    ]

    /// Warnings for every limit below kind's minimum. Hosts without these files
    /// (macOS, where Docker Desktop's VM has its own settings) get none.
    static func warnings(procRoot: URL) -> [PreflightWarning] {
        var low: [(setting: String, value: Int, minimum: Int)] = []
        for limit in minimums {
            let file = procRoot.appending(path: limit.file)
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            else { continue }
            if value < limit.minimum { low.append((limit.setting, value, limit.minimum)) }
        }
        guard !low.isEmpty else { return [] }
        let settings = low.map { "\($0.setting)=\($0.minimum)" }.joined(separator: " ")
        return [
            PreflightWarning(
                problem: "inotify limits are below what kind needs ("
                    + low.map { "\($0.setting) is \($0.value), kind needs \($0.minimum)" }.joined(separator: "; ")
                    + "); pods may fail with \"too many open files\"",
                fix: "sudo sysctl \(settings)  (to keep it after reboot, put the same settings in "
                    + "/etc/sysctl.d/99-kind.conf)")
        ]
    }
}
