import Foundation
import ProvisionCore

/// An OCI artifact holding one directory tree, in the form Argo CD syncs from (v3.1 and later):
/// an image manifest whose single content layer is a tar+gzip of the files (argo-cd v3.5.1
/// util/oci/client.go: exactly one content layer, of a media type the repo server allows; by
/// default `application/vnd.oci.image.layer.v1.tar+gzip` is one of them) and whose config is
/// the empty descriptor of image-spec v1.1 (`{}`), as `oras push` makes it.
public struct OCIArtifact: Sendable {
    public static let manifestMediaType = "application/vnd.oci.image.manifest.v1+json"
    public static let layerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let emptyConfigMediaType = "application/vnd.oci.empty.v1+json"
    /// What the artifact is, for registry browsers (image-spec v1.1 `artifactType`).
    public static let artifactType = "application/vnd.wrightnow.provision.source.v1"

    /// Bytes a manifest refers to by digest.
    public struct Blob: Sendable, Hashable {
        public var mediaType: String
        public var data: Data
        /// `sha256:<hex>`, the content address.
        public var digest: String { "sha256:" + SHA256.hexDigest(of: data) }
    }

    public let config: Blob
    public let layer: Blob
    /// The image manifest's exact bytes: the registry and Argo CD address the artifact by
    /// their digest.
    public let manifest: Data

    public init(_ archive: SourceArchive) throws {
        config = Blob(mediaType: Self.emptyConfigMediaType, data: Data("{}".utf8))
        layer = Blob(mediaType: Self.layerMediaType, data: try archive.tarGzip())
        // Written by hand, keys in a fixed order, so the same files give the same digest.
        func descriptor(_ blob: Blob) -> String {
            #"{"mediaType":"\#(blob.mediaType)","digest":"\#(blob.digest)","size":\#(blob.data.count)}"#
        }
        manifest = Data(
            (#"{"schemaVersion":2,"mediaType":"\#(Self.manifestMediaType)","artifactType":"\#(Self.artifactType)","#
                + #""config":\#(descriptor(config)),"layers":[\#(descriptor(layer))]}"#).utf8)
    }

    /// `sha256:<hex>` of the manifest: the artifact's identity, what a tag points to.
    public var digest: String { "sha256:" + SHA256.hexDigest(of: manifest) }
}
