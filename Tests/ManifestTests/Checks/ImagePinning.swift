/// Every image names an exact release: a digest, or a tag with at least `major.minor`.
/// Rejected: no tag (means latest), `latest`, and floating tags such as `pg15`, `7-alpine`,
/// `alpine`. A `major.minor` tag like `7.4-alpine` still floats over patch releases; the
/// images here use full versions, which this check cannot tell apart from that case.
enum ImagePinning {
    static func problems(in objects: [KubeObject]) -> [String] {
        objects.filter(\.isWorkload).flatMap { workload in
            workload.containers.compactMap { container in
                problem(with: container.image).map { "\(workload) container \(container.name): \($0)" }
            }
        }
    }

    /// Why `image` is not pinned, or nil when it is.
    static func problem(with image: String) -> String? {
        if image.isEmpty { return "has no image" }
        if image.contains("@sha256:") { return nil }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.firstIndex(of: ":") else {
            return "image \(image) has no tag, which means :latest"
        }
        let tag = String(lastComponent[lastComponent.index(after: colon)...])
        if tag == "latest" { return "image \(image) uses :latest" }
        if tag.range(of: #"\d+\.\d+"#, options: .regularExpression) == nil {
            return "image \(image) uses the floating tag \(tag); name an exact version"
        }
        return nil
    }
}
