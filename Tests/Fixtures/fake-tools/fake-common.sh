# Shared by the fake kind, kubectl, docker and curl used by Tests/CLITests.
# Sourced, never run. POSIX sh only.
#
# Environment (set by the tests):
#   FAKE_LOG    file that gets one line per invocation: "<tool> <arg> <arg> ..."
#   FAKE_STATE  directory holding the fake world (clusters, applied objects, stdin copies)
#   FAKE_BLOCK  glob matched against "<tool> <args>": a matching call waits, see fake_block
#   FAKE_BLOCK_UNTIL  file whose appearance releases a blocked call (default: $FAKE_STATE/release,
#                     which the test's world creates when it goes away); waits up to 10 minutes
#   FAKE_SLOW, FAKE_SLOW_SECONDS  glob and seconds: a matching call sleeps that long first
# Besides the log, $FAKE_STATE/events.log lists what happened to the fake cluster in order,
# and $FAKE_STATE/rejected.log every call the real tool would have refused (an unknown flag, a
# flag without its value): the fake answers such a call as the real tool does, and FakeWorld
# fails the test unless the test expected the refusal.

set -u
# Shell built-ins on the path every call takes (parameter expansion, not basename or cut): the
# fakes run thousands of times in one test run, and each helper process costs CPU.
FAKE_TOOL=${0##*/}
: "${FAKE_STATE:?FAKE_STATE must name the fake world directory}"
: "${FAKE_LOG:=$FAKE_STATE/calls.log}"
[ -d "$FAKE_STATE/objects" ] || mkdir -p "$FAKE_STATE/clusters" "$FAKE_STATE/stdin" "$FAKE_STATE/objects"

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
    # A blocked call never releases itself early: under load (two builds beside the suite) a
    # test took longer than the former 30 s to release it or to signal provision, and the call
    # then ran on with what the test had not yet set up (issue 15). The bound only ends a call
    # whose test died without cleaning up.
    release=${FAKE_BLOCK_UNTIL:-$FAKE_STATE/release}
    waited=0
    while [ "$waited" -lt 12000 ]; do
        if [ -e "$release" ]; then return 0; fi
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

# Flags, checked as pflag (the flag library of kind, kubectl and docker, all cobra programs)
# checks them: github.com/spf13/pflag flag.go, parseLongArg and parseSingleShortArg, whose
# errors read "unknown flag: --x", "unknown shorthand flag: 'x' in -x",
# "flag needs an argument: --x" and "flag needs an argument: 'x' in -x".
#
# fake_check_flags SPEC ARGS...: SPEC lists the flags the real command accepts, space-separated:
# "name" for a boolean flag, "name=" for a flag that takes a value; one letter is a shorthand.
# Returns 1 and sets fake_flag_error to pflag's message for the first flag the real command
# would refuse. Arguments after "--" are not flags; "-" alone is an argument (standard input).
fake_check_flags() {
    fake_spec=" $1 "
    shift
    fake_flag_error=""
    while [ $# -gt 0 ]; do
        fake_arg=$1
        shift
        case "$fake_arg" in
        --) return 0 ;;
        --*=*)
            fake_name=${fake_arg%%=*}
            fake_name=${fake_name#--}
            case "$fake_spec" in
            *" $fake_name= "* | *" $fake_name "*) ;;
            *) fake_flag_error="unknown flag: --$fake_name"; return 1 ;;
            esac ;;
        --*)
            fake_name=${fake_arg#--}
            case "$fake_spec" in
            *" $fake_name= "*)
                [ $# -gt 0 ] || { fake_flag_error="flag needs an argument: --$fake_name"; return 1; }
                shift ;;
            *" $fake_name "*) ;;
            *) fake_flag_error="unknown flag: --$fake_name"; return 1 ;;
            esac ;;
        -?*)
            # A group of shorthands (-fsS): booleans, the last one may take the rest or the next word.
            fake_rest=${fake_arg#-}
            while [ -n "$fake_rest" ]; do
                fake_short=${fake_rest%"${fake_rest#?}"}
                fake_rest=${fake_rest#?}
                case "$fake_spec" in
                *" $fake_short= "*)
                    if [ -z "$fake_rest" ]; then
                        [ $# -gt 0 ] || { fake_flag_error="flag needs an argument: '$fake_short' in -$fake_short"; return 1; }
                        shift
                    fi
                    fake_rest="" ;;
                *" $fake_short "*) ;;
                *) fake_flag_error="unknown shorthand flag: '$fake_short' in $fake_arg"; return 1 ;;
                esac
            done ;;
        esac
    done
    return 0
}

# fake_reject STATUS TEXT: answers a call the real tool refuses (TEXT on standard error, exit
# STATUS, standard input never read) and records it for the test.
fake_reject() {
    printf '%s\n' "$FAKE_LINE" >> "$FAKE_STATE/rejected.log"
    printf '%s\n' "$2" >&2
    exit "$1"
}

fake_block
fake_slow
