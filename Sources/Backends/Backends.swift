// Backends: kind (real) and GKE/EKS/AKS stubs.
