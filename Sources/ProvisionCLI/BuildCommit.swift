/// The commit this binary was built from. SwiftPM passes no string through -D, so
/// scripts/build-release replaces this file in its own copy of the commit it builds; the file
/// as committed is what every other build compiles: a development build, commit unknown.
enum BuildCommit {
    static let value: String? = nil
}
