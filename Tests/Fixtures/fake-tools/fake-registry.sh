# The fake world's registries and image stores, shared by the fake docker (pulls on the host
# through a registry container's published port) and the fake kubectl (the kind node's
# containerd pulling the images of applied objects). Sourced after fake-common.sh, never run.
# POSIX sh only.
#
# The world (all under $FAKE_STATE):
#   containers/<name>      a container the fake docker ran: key=value lines (id, image, status,
#                          restart, label=KEY=VALUE, publish=SPEC, port=PORT/PROTO=IP:HOSTPORT
#                          while it runs, volume=SOURCE:TARGET, env=KEY=VALUE, network=NAME)
#   volumes/<name>/labels  a volume's labels (KEY=VALUE lines); volumes/<name>/cache/<path>/<tag
#                          or digest>: an image a registry container keeps in it (its size in bytes)
#   networks/<name>        a docker network (the fake kind makes `kind`)
#   images                 the host's image store: one reference per line, as pulled
#   nodes/<cluster>.images a kind node's containerd image store (gone with the cluster)
#   upstream-pulls.log     one line per image pull that leaves the machine:
#                          "<reference> by node <cluster>", "... by mirror <container>",
#                          "... by host docker"
#
# The size every cached image counts for (`docker system df`): 25 MB, so sizes are predictable.
fake_image_size=25000000

fake_nl='
'
[ -d "$FAKE_STATE/containers" ] || mkdir -p "$FAKE_STATE/containers" "$FAKE_STATE/volumes" "$FAKE_STATE/networks"

# normalize_ref REF: the reference as containerd and docker read it (distribution/reference
# normalize.go ParseNormalizedNamed): a first component without "." or ":" that is not
# "localhost" is a Docker Hub path, and a single name is under library/; no tag and no digest
# means ":latest". Sets ref_domain, ref_path, ref_tag (may be empty with a digest), ref_digest,
# ref_full (domain/path[:tag][@digest]).
normalize_ref() {
    ref_rest=$1 ref_digest="" ref_tag=""
    case "$ref_rest" in *@*) ref_digest=${ref_rest#*@}; ref_rest=${ref_rest%%@*} ;; esac
    case "$ref_rest" in
    */*)
        ref_domain=${ref_rest%%/*}
        case "$ref_domain" in
        *.*|*:*|localhost) ref_rest=${ref_rest#*/} ;;
        *) ref_domain=docker.io ;;
        esac ;;
    *) ref_domain=docker.io ;;
    esac
    # The tag is after the last ":" of the last path component.
    ref_last=${ref_rest##*/}
    case "$ref_last" in *:*) ref_tag=${ref_last#*:}; ref_rest=${ref_rest%:*} ;; esac
    ref_path=$ref_rest
    [ "$ref_domain" = docker.io ] && case "$ref_path" in */*) ;; *) ref_path="library/$ref_path" ;; esac
    [ -z "$ref_tag" ] && [ -z "$ref_digest" ] && ref_tag=latest
    ref_full="$ref_domain/$ref_path${ref_tag:+:$ref_tag}${ref_digest:+@$ref_digest}"
}

# record_values NAME KEY: every value of KEY in container NAME's record, one per line.
record_values() {
    [ -f "$FAKE_STATE/containers/$1" ] || return 1
    sed -n "s|^$2=||p" "$FAKE_STATE/containers/$1"
}
record_value() { record_values "$1" "$2" | head -n 1; }

container_running() { [ "$(record_value "$1" status)" = running ]; }

container_on_network() { # container_on_network NAME NETWORK
    record_values "$1" network | grep -qx "$2"
}

# The label or environment value KEY of container NAME, empty when it has none.
container_label() { record_values "$1" label | sed -n "s|^$2=||p" | head -n 1; }
container_env() { record_values "$1" env | sed -n "s|^$2=||p" | head -n 1; }

# Where registry container NAME keeps its images: the volume mounted at /var/lib/registry
# (the registry image's storage, distribution's configuration `storage.filesystem.rootdirectory`
# in its /etc/distribution/config.yml), else its own layer.
registry_store() {
    store=""
    for v in $(record_values "$1" volume); do
        case "$v" in *:/var/lib/registry|*:/var/lib/registry:*) store=${v%%:*} ;; esac
    done
    case "$store" in
    "") printf '%s' "$FAKE_STATE/containers/$1.layer/cache" ;;
    /*) printf '%s' "$store/docker/registry/v2" ;;
    *) printf '%s' "$FAKE_STATE/volumes/$store/cache" ;;
    esac
}

# The registry an upstream URL names: https://registry-1.docker.io is Docker Hub's (docker.io).
upstream_domain() {
    d=${1#*://}
    d=${d%%/*}
    [ "$d" = registry-1.docker.io ] && d=docker.io
    printf '%s' "$d"
}

# registry_serve CONTAINER: serves ref_path with ref_tag/ref_digest (see normalize_ref) from
# registry container CONTAINER. A proxy (distribution's proxy mode, REGISTRY_PROXY_REMOTEURL:
# registry/proxy) answers from its storage or fetches from upstream once, logging the pull, and
# keeps it; a plain registry answers only what was pushed into it. Returns 1 when it has not got
# the image (the registry's 404, manifest unknown).
registry_serve() {
    store=$(registry_store "$1")
    if [ -n "$ref_digest" ] && [ -e "$store/$ref_path/$ref_digest" ]; then return 0; fi
    if [ -n "$ref_tag" ] && [ -e "$store/$ref_path/$ref_tag" ]; then return 0; fi
    upstream=$(container_env "$1" REGISTRY_PROXY_REMOTEURL)
    [ -n "$upstream" ] || return 1
    if [ -n "${FAKE_UPSTREAM_MISSING:-}" ] && fake_listed "$FAKE_UPSTREAM_MISSING" "$ref_path"; then return 1; fi
    upstream_pull "$(upstream_domain "$upstream")/$ref_path${ref_tag:+:$ref_tag}${ref_digest:+@$ref_digest}" "mirror $1"
    [ -d "$store/$ref_path" ] || mkdir -p "$store/$ref_path"
    [ -z "$ref_tag" ] || echo "$fake_image_size" > "$store/$ref_path/$ref_tag"
    [ -z "$ref_digest" ] || echo "$fake_image_size" > "$store/$ref_path/$ref_digest"
    return 0
}

# upstream_pull REFERENCE WHO: an image pull that leaves the machine.
upstream_pull() {
    printf '%s by %s\n' "$1" "$2" >> "$FAKE_STATE/upstream-pulls.log"
}

# The host port container NAME publishes for its container port 5000/tcp while it runs.
registry_host_port() {
    record_values "$1" port | sed -n 's|^5000/tcp=[^:]*:||p' | head -n 1
}

# The running registry container publishing HOST-PORT on the host, if any.
container_publishing() { # container_publishing PORT
    for f in "$FAKE_STATE"/containers/*; do
        [ -f "$f" ] || continue
        c=${f##*/}
        grep -q "^port=[^=]*=[^:]*:$1\$" "$f" && container_running "$c" && { printf '%s' "$c"; return 0; }
    done
    return 1
}

# --- A kind node's containerd pulling an image (the fake kubectl's applies) -----------------
# containerd v2.3.4 (kind's node images since v0.27.0 carry containerd 2.x):
#   the registry's host directory under each root of config_path (":"-separated), the first that
#   exists of <root>/<host with ":port" as "_port_">, <root>/<host>, <root>/_default
#   (core/remotes/docker/config/config_unix.go hostPaths, hosts.go hostDirectory), its
#   hosts.toml read at every pull (no restart needed);
#   its [host."URL"] entries tried in file order, then `server` (by default the registry itself:
#   https://registry-1.docker.io for docker.io) as the last (hosts.go ConfigureHosts); a host
#   that refuses the connection or answers 404 makes the resolver try the next one
#   (core/remotes/docker/resolver.go Resolve); resolving a tag needs the "resolve" capability,
#   fetching by digest "pull" (all of pull, resolve, push when `capabilities` is not given).
# A host http://NAME:5000 answers when a registry container NAME runs on the docker network
# `kind` (the node's DNS resolves container names there); it serves as registry_serve says.

# node_host_dir CLUSTER HOST: the node's hosts.toml directory for registry HOST, as a host path
# (the node sees config_path through the kind config's extraMounts), or nothing.
node_host_dir() {
    roots=$(sed -n 's/^config_path=//p' "$FAKE_STATE/nodes/$1.containerd" 2>/dev/null)
    [ -n "$roots" ] || return 0
    case "$2" in *:*) special="${2%:*}_${2##*:}_" ;; *) special="" ;; esac
    old_ifs=$IFS
    IFS=:
    for root in $roots; do
        IFS=$old_ifs
        # The bind that mounts a host directory at this root (HOST-PATH:CONTAINER-PATH).
        mounted=$(awk -v root="$root" '{ n = split($0, part, ":"); if (part[2] == root) print part[1] }' "$FAKE_STATE/nodes/$1.binds" 2>/dev/null | head -n 1)
        [ -n "$mounted" ] || continue
        for dir in ${special:+"$mounted/$special"} "$mounted/$2" "$mounted/_default"; do
            [ -d "$dir" ] && { printf '%s' "$dir"; return 0; }
        done
    done
    IFS=$old_ifs
}

# hosts_of DIR: the hosts of DIR/hosts.toml in order as "URL CAPABILITIES" lines (capabilities
# comma-separated, "pull,resolve,push" when not given), then "server URL".
hosts_of() {
    awk '
        function flush() { if (url != "") print url, (caps == "" ? "pull,resolve,push" : caps); url = ""; caps = "" }
        { line = $0; sub(/#.*/, "", line) }
        line ~ /^[ \t]*\[host\."/ { flush(); url = line; sub(/^[^"]*"/, "", url); sub(/".*$/, "", url); next }
        line ~ /^[ \t]*\[/ { flush(); next }
        line ~ /^[ \t]*server[ \t]*=/ { s = line; sub(/^[^"]*"/, "", s); sub(/".*$/, "", s); server = s; next }
        line ~ /^[ \t]*capabilities[ \t]*=/ { c = line; sub(/^[^\[]*\[/, "", c); sub(/\].*$/, "", c); gsub(/[" \t]/, "", c); caps = c }
        END { flush(); if (server != "") print "server", server }' "$1/hosts.toml" 2>/dev/null
}

# node_pull CLUSTER IMAGE: the node's containerd pulls IMAGE unless it has it already.
node_pull() {
    images="$FAKE_STATE/nodes/$1.images"
    normalize_ref "$2"
    grep -qxF "$ref_full" "$images" 2>/dev/null && return 0
    dir=$(node_host_dir "$1" "$ref_domain")
    need=resolve
    [ -n "$ref_digest" ] && need=pull
    server=""
    if [ -n "$dir" ]; then
        while read -r url caps; do
            [ -n "$url" ] || continue
            if [ "$url" = server ]; then server=$caps; continue; fi
            case ",$caps," in *",$need,"*) ;; *) continue ;; esac
            host=${url#*://}
            host=${host%%/*}
            name=${host%:*}
            [ "${host##*:}" = 5000 ] || continue
            container_running "$name" && container_on_network "$name" kind || continue
            if registry_serve "$name"; then
                printf '%s\n' "$ref_full" >> "$images"
                return 0
            fi
        done <<HOSTS
$(hosts_of "$dir")
HOSTS
    fi
    # The server, tried last: hosts.toml's `server`, else the registry itself (docker.io's is
    # https://registry-1.docker.io; localhost over http, any other over https: hosts.go
    # ConfigureHosts). From the node, localhost is the node's own loopback, where nothing
    # listens; a registry container's name resolves on the kind network, and the registry image
    # speaks plain http only (no TLS in its config), so an https server there fails.
    [ -n "$server" ] || case "$ref_domain" in
        docker.io) server=https://registry-1.docker.io ;;
        localhost:*|127.0.0.1:*) server="http://$ref_domain" ;;
        *) server="https://$ref_domain" ;;
    esac
    host=${server#*://}
    host=${host%%/*}
    name=${host%:*}
    if [ -f "$FAKE_STATE/containers/$name" ]; then
        if [ "${server%%://*}" = http ] && [ "${host##*:}" = 5000 ] && container_running "$name" &&
            container_on_network "$name" kind && registry_serve "$name"; then
            printf '%s\n' "$ref_full" >> "$images"
            return 0
        fi
        name=localhost
    fi
    case "$name" in
    localhost|127.0.0.1)
        fake_event "node $1 could not pull $ref_full"
        printf '%s\n' "$ref_full" >> "$FAKE_STATE/nodes/$1.pull-failures"
        return 1 ;;
    esac
    upstream_pull "$ref_full" "node $1"
    printf '%s\n' "$ref_full" >> "$images"
}

# node_pulls CLUSTER MANIFEST: every container image the manifest's objects name.
node_pulls() {
    for image in $(awk '
        /^[ \t]*(- )?image:[ \t]*[^ \t{]/ {
            line = $0; sub(/^[ \t]*(- )?image:[ \t]*/, "", line); gsub(/["\047]/, "", line); sub(/[ \t].*$/, "", line)
            if (line != "" && !(line in seen)) { seen[line] = 1; print line }
        }' "$2"); do
        node_pull "$1" "$image"
    done
}
