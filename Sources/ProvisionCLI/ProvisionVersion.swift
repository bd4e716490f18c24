/// The version `provision --version` prints and the history records with every run.
enum ProvisionVersion {
    /// The one place the version is written; the release tag is `v` followed by it (the
    /// release workflow checks that the two agree).
    static let current = "0.2.0"

    /// `0.2.0 (commit abc1234def56)` for a release build, `0.2.0 (development build)` otherwise.
    static var description: String {
        "\(current) (\(BuildCommit.value.map { "commit \($0)" } ?? "development build"))"
    }
}
