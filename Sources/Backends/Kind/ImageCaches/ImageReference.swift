/// A container image reference split as Docker and containerd read it: the registry it is
/// pulled from, the repository there, and the tag and/or digest.
///
/// The rules are those of distribution/reference's `ParseNormalizedNamed` (normalize.go,
/// splitDockerDomain): a first path component is a registry only when it holds a `.` or a `:`
/// or is `localhost`; otherwise the image is on Docker Hub (`docker.io`), where a single name
/// lives under `library/`.
struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// `docker.io`, `ghcr.io`, `localhost:5001`.
    var registry: String
    /// `library/postgres`, `goauthentik/server`.
    var repository: String
    var tag: String?
    var digest: String?

    init?(_ text: String) {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        guard !rest.isEmpty, tag?.isEmpty != true, digest?.isEmpty != true else { return nil }
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = parts[0] == "index.docker.io" ? "docker.io" : String(parts[0])
            repository = String(parts[1])
        } else {
            registry = "docker.io"
            repository = String(rest)
        }
        if registry == "docker.io", !repository.contains("/") { repository = "library/" + repository }
        guard !repository.isEmpty else { return nil }
    }

    /// The same image on another registry host (a mirror's published port): `127.0.0.1:32768/library/postgres:15`.
    func on(_ host: String) -> String {
        host + "/" + repository + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    var description: String { on(registry) }
}
