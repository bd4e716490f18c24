import Foundation

/// A managed Kubernetes service the project will support later, and what its backend will do.
public struct CloudProvider: Sendable, Hashable {
    /// The `--backend` name: `gke`, `eks`, `aks`.
    public var name: String
    public var displayName: String
    /// What the backend will do once implemented, in one sentence.
    public var plannedWork: String

    public static let gke = CloudProvider(
        name: "gke", displayName: "Google Kubernetes Engine",
        plannedWork: "create or reuse a GKE cluster with gcloud, use the pd-balanced StorageClass, "
            + "expose authentik through a cloud load balancer, and read secrets from Secret Manager")
    public static let eks = CloudProvider(
        name: "eks", displayName: "Amazon Elastic Kubernetes Service",
        plannedWork: "create or reuse an EKS cluster with eksctl, use the EBS CSI gp3 StorageClass, "
            + "expose authentik through an AWS load balancer, and read secrets from AWS Secrets Manager")
    public static let aks = CloudProvider(
        name: "aks", displayName: "Azure Kubernetes Service",
        plannedWork: "create or reuse an AKS cluster with az, use the managed-csi StorageClass, "
            + "expose authentik through an Azure load balancer, and read secrets from Key Vault")

    public static let all: [CloudProvider] = [.gke, .eks, .aks]
}
