#!/bin/sh
# Task 9.3: delete the kind cluster and confirm it is gone; the volume data in
# .data/local-path-provisioner/ is kept. Same as: provision down
# Extra arguments go to `provision down` (e.g. --purge-data --yes). Exit code: provision's.
set -eu
K8S_REPOSITORY=$(cd "$(dirname "$0")/.." && pwd)
. "$K8S_REPOSITORY/scripts/k8s-common.sh"
k8s_require kind
k8s_provision down "$@"
