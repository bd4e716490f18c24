#!/bin/sh
# Task 9.2: deploy the whole stack (generated secrets, every component with its readiness
# wait and smoke check) and print URLs and logins. Same as: provision up --backend kind
# It creates the cluster too when k8s-setup.sh has not run. Extra arguments go to
# `provision up`. Exit code: provision's.
set -eu
K8S_REPOSITORY=$(cd "$(dirname "$0")/.." && pwd)
. "$K8S_REPOSITORY/scripts/k8s-common.sh"
k8s_require kubectl
k8s_provision up --backend kind "$@"
