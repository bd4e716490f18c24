# Sourced by scripts/test: installs and exports what the test suite needs.
# (Placeholder: filled in by the k8s/test-environment work.)
