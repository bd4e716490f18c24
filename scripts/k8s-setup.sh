#!/bin/sh
# Task 9.1: create (or reuse) the kind cluster `wrightnow` from
# k8s/overlays/local/kind-cluster-config.yaml and install the edge, waiting until it answers on
# http://localhost/: the Gateway API CRDs, NGINX Gateway Fabric and the Gateway (the seed named
# ingress-nginx, now retired; `--overlay local-ingress-nginx` installs it instead).
# Same as: provision up --backend kind --only edge
# Extra arguments go to `provision up` (e.g. --timeout 1200). Exit code: provision's.
set -eu
K8S_REPOSITORY=$(cd "$(dirname "$0")/.." && pwd)
. "$K8S_REPOSITORY/scripts/k8s-common.sh"
k8s_require kind
k8s_provision up --backend kind --only edge "$@"
