# Shared by the fake kind, kubectl, docker and curl used by Tests/CLITests.
# Sourced, never run. POSIX sh only.
#
# Environment (set by the tests):
#   FAKE_LOG    file that gets one line per invocation: "<tool> <arg> <arg> ..."
#   FAKE_STATE  directory holding the fake world (clusters, applied objects, stdin copies)
#   FAKE_BLOCK  glob matched against "<tool> <args>": a matching call waits, see fake_block
#   FAKE_BLOCK_UNTIL  file whose appearance releases a blocked call (none: wait up to 30 s)
#   FAKE_SLOW, FAKE_SLOW_SECONDS  glob and seconds: a matching call sleeps that long first
# Besides the log, $FAKE_STATE/events.log lists what happened to the fake cluster in order.

set -u
FAKE_TOOL=$(basename "$0")
: "${FAKE_STATE:?FAKE_STATE must name the fake world directory}"
: "${FAKE_LOG:=$FAKE_STATE/calls.log}"
mkdir -p "$FAKE_STATE/clusters" "$FAKE_STATE/stdin" "$FAKE_STATE/objects"

FAKE_LINE="$FAKE_TOOL $*"
# One write per line keeps concurrent appends whole. Calls one fake makes of another
# (FAKE_INTERNAL=1) are not the product's calls and stay out of the log.
if [ "${FAKE_INTERNAL:-}" != 1 ]; then printf '%s\n' "$FAKE_LINE" >> "$FAKE_LOG"; fi

# Saves standard input (manifests, SQL) next to the log and notes where.
fake_save_stdin() {
    fake_stdin_file="$FAKE_STATE/stdin/$FAKE_TOOL-$$.txt"
    cat > "$fake_stdin_file"
    printf '%s\n' "stdin of [$FAKE_LINE] in $fake_stdin_file" >> "$FAKE_LOG.stdin"
}

fake_matches() { # fake_matches PATTERN -> true when FAKE_LINE matches the glob
    # shellcheck disable=SC2254
    case "$FAKE_LINE" in $1) return 0 ;; esac
    return 1
}

# A matching call marks itself as blocked (the tests wait for that mark) and waits for
# the release file, so the tests can hold a run in the middle of a step.
fake_block() {
    [ -n "${FAKE_BLOCK:-}" ] || return 0
    fake_matches "$FAKE_BLOCK" || return 0
    printf '%s\n' "$FAKE_LINE" >> "$FAKE_STATE/blocked"
    waited=0
    while [ "$waited" -lt 600 ]; do
        if [ -n "${FAKE_BLOCK_UNTIL:-}" ] && [ -e "$FAKE_BLOCK_UNTIL" ]; then return 0; fi
        sleep 0.05
        waited=$((waited + 1))
    done
}

fake_slow() {
    [ -n "${FAKE_SLOW:-}" ] || return 0
    fake_matches "$FAKE_SLOW" || return 0
    sleep "${FAKE_SLOW_SECONDS:-1}"
}

# A switch holding a comma-separated list: fake_listed "a,b" b -> true
fake_listed() {
    case ",$1," in *",$2,"*) return 0 ;; esac
    return 1
}

# Fires once per FAKE_STATE: the first call creates the marker and fails.
fake_first_time() {
    marker="$FAKE_STATE/once-$1"
    if mkdir "$marker" 2>/dev/null; then return 0; fi
    return 1
}

# What the fake world saw happen, in order: "applied Ingress/authentik", "ready job/...".
# The tests read it to check ordering (e.g. the webhook was ready before the Ingress).
fake_event() {
    printf '%s\n' "$1" >> "$FAKE_STATE/events.log"
}

fake_block
fake_slow
