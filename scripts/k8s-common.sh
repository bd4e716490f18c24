# Sourced by scripts/k8s-setup.sh, k8s-deploy.sh and k8s-teardown.sh, the entry points the
# original task list names (tasks 9.1-9.3, and its checks 11.2, 11.5 and 11.6). They only pick
# a `provision` command and its flags; provision does the work (preflight, cluster,
# ingress-nginx, readiness waits, smoke checks, history) and its exit code is theirs.
# POSIX sh.

# k8s_require TOOL: the tool check the task list asks for. Stops with provision's exit code for
# a failed preflight (3) when TOOL is not on PATH.
k8s_require() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "$(basename "$0"): $1 not found on PATH; install it (docs/kubernetes-setup.md#prerequisites)" >&2
    exit 3
}

# k8s_provision ARGUMENTS...: runs provision from the repository root and exits with its
# exit code. Uses the `provision` on PATH when there is one, else builds and runs it here.
k8s_provision() {
    cd "$K8S_REPOSITORY" || exit 2
    if command -v provision >/dev/null 2>&1; then
        exec provision "$@"
    fi
    k8s_require swift
    exec swift run --quiet provision "$@"
}
