import Foundation

/// Runs a program the way a container with `readOnlyRootFilesystem: true` runs it: every
/// filesystem read-only except the given directories, which stand for the container's
/// writable volumes (emptyDirs and claims). /proc, /sys and /dev stay as they are, as in a
/// container (its /dev/shm is writable either way).
///
/// It uses a private mount namespace inside a user namespace (util-linux `unshare`), so it
/// needs no root and changes nothing outside the program; the program itself runs as the
/// unprivileged `uid`/`gid` inside a second user namespace, as the images' users do.
enum ReadOnlyRoot {
    /// Bind-mounts each writable directory onto itself (a mount of its own), then remounts
    /// every other mount read-only, then runs the rest of the arguments.
    static let script = #"""
        set -eu
        count=$1; shift
        writable=""
        while [ "$count" -gt 0 ]; do
            mount --bind "$1" "$1"
            writable="$writable$1
        "
            shift; count=$((count - 1))
        done
        awk '{ print $5 }' /proc/self/mountinfo | sort -u | while IFS= read -r point; do
            case "$point" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
            if printf '%s' "$writable" | grep -qxF -- "$point"; then continue; fi
            mount -o remount,bind,ro "$point"
        done
        exec "$@"
        """#

    /// The command line that runs `arguments` with only `writable` writable.
    static func command(_ arguments: [String], writable: [String], uid: Int = 999, gid: Int = 999,
                        environment: [String: String] = [:]) -> [String] {
        ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "--",
         "sh", "-c", script, "read-only-root", String(writable.count)] + writable
            + ["unshare", "--user", "--map-user=\(uid)", "--map-group=\(gid)", "--"]
            + (environment.isEmpty ? [] : ["env"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            + arguments
    }

    /// The mount paths a container may write to: its volume mounts that are not read-only.
    static func writableMounts(of container: Container) -> [String] {
        container.volumeMounts.filter { Tree.bool($0["readOnly"]) != true }.compactMap { Tree.string($0["mountPath"]) }
    }

    /// Whether `path` in the container lies on one of `mounts`.
    static func isCovered(_ path: String, by mounts: [String]) -> Bool {
        mounts.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }

    static func isReadOnly(_ container: Container) -> Bool {
        Tree.bool(container.securityContext["readOnlyRootFilesystem"]) == true
    }
}
