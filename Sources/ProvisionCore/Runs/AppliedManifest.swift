import Foundation

/// What a deploy step applied, as the deployer hands it to the store.
public struct AppliedManifest: Sendable, Hashable {
    /// The exact text sent to the cluster (never a Secret: those are applied on their own).
    public let body: String
    /// SHA-256 (hex) of ``body``.
    public let digest: String
    public var objects: [AppliedObject]
    public var secrets: [SecretKeys]
    public init(body: String, objects: [AppliedObject], secrets: [SecretKeys]) {
        self.init(body: body, digest: SHA256.hexDigest(of: body), objects: objects, secrets: secrets)
    }

    /// For a body whose digest is already known (a ``ComponentRelease``'s), so it is not hashed again.
    public init(body: String, digest: String, objects: [AppliedObject], secrets: [SecretKeys]) {
        self.body = body
        self.digest = digest
        self.objects = objects
        self.secrets = secrets
    }
}
