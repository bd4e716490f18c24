#!/bin/sh
# Task 9.1: create (or reuse) the kind cluster `wrightnow` from
# k8s/overlays/local/kind-cluster-config.yaml and install ingress-nginx, waiting until its
# admission webhook answers. Same as: provision up --backend kind --only ingress-nginx
# Extra arguments go to `provision up` (e.g. --timeout 1200). Exit code: provision's.
set -eu
K8S_REPOSITORY=$(cd "$(dirname "$0")/.." && pwd)
. "$K8S_REPOSITORY/scripts/k8s-common.sh"
k8s_require kind
k8s_provision up --backend kind --only ingress-nginx "$@"
