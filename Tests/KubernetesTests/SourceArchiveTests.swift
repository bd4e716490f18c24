import Foundation
import Kubernetes
import PropertyBased
import Synchronization
import ProvisionCore
import Testing
import TestSupport

/// The tar+gzip layer Argo CD unpacks, read back by the real `tar` and `gzip`: the same files,
/// directories first, the same bytes for the same files; paths a tar cannot hold are refused.
@Suite("Source archive (tar+gzip)")
struct SourceArchiveTests {
    static let entries = [
        SourceArchive.Entry(path: "k8s/overlays/local/kustomization.yaml", contents: Data("resources:\n  - ../../base\n".utf8)),
        SourceArchive.Entry(path: "k8s/base/kustomization.yaml", contents: Data("resources: []\n".utf8)),
        // Exactly one 512-byte block, and an empty file: no padding, no block.
        SourceArchive.Entry(path: "k8s/base/block.txt", contents: Data(repeating: UInt8(ascii: "x"), count: 512)),
        SourceArchive.Entry(path: "k8s/base/empty.txt", contents: Data()),
        // 140 bytes: ustar keeps it as a prefix and a name.
        SourceArchive.Entry(
            path: "k8s/" + String(repeating: "d", count: 60) + "/" + String(repeating: "f", count: 70) + ".yaml",
            contents: Data("long: true\n".utf8)),
    ]

    /// Writes `data` to a new directory and unpacks it there with `tar -xzf`.
    static func unpack(_ data: Data) async throws -> (directory: TemporaryDirectory, listing: [String]) {
        let directory = try TemporaryDirectory()
        let file = directory.url.appending(path: "layer.tar.gz")
        try data.write(to: file)
        let tested = try await ChildProcess.run(["gzip", "-t", file.path])
        #expect(tested.succeeded, "gzip -t: \(tested)")
        let listed = try await ChildProcess.run(["tar", "-tzf", file.path])
        try #require(listed.succeeded, "tar -tzf: \(listed)")
        let out = directory.url.appending(path: "out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let unpacked = try await ChildProcess.run(["tar", "-xzf", file.path, "-C", out.path])
        try #require(unpacked.succeeded, "tar -xzf: \(unpacked)")
        return (directory, listed.standardOutput.split(separator: "\n").map(String.init))
    }

    @Test("the real tar unpacks every file with its bytes, each directory listed before what it holds")
    func realTarReadsIt() async throws {
        let archive = try SourceArchive(Self.entries)
        let (directory, listing) = try await Self.unpack(try archive.tarGzip())
        for entry in Self.entries {
            let read = try Data(contentsOf: directory.url.appending(path: "out").appending(path: entry.path))
            #expect(read == entry.contents, "\(entry.path)")
        }
        let files = Set(Self.entries.map(\.path))
        #expect(Set(listing.filter { !$0.hasSuffix("/") }) == files)
        for (index, path) in listing.enumerated() {
            let parent = path.hasSuffix("/") ? String(path.dropLast()) : path
            guard let slash = parent.lastIndex(of: "/") else { continue }
            let directoryEntry = parent[..<slash] + "/"
            let position = try #require(listing.firstIndex(of: String(directoryEntry)), "\(directoryEntry) not listed")
            #expect(position < index, "\(directoryEntry) comes after \(path)")
        }
    }

    @Test("the same files give the same bytes, whatever their order")
    func reproducible() throws {
        let forward = try SourceArchive(Self.entries).tarGzip()
        let backward = try SourceArchive(Self.entries.reversed()).tarGzip()
        #expect(forward == backward)
        var changed = Self.entries
        changed[1].contents = Data("resources: [x]\n".utf8)
        #expect(try SourceArchive(changed).tarGzip() != forward)
    }

    @Test("paths that are not plain relative ones, given twice, or too long for ustar are refused", arguments: [
        "/etc/passwd", "k8s/../secret.yaml", "k8s//x.yaml", "./x.yaml", "k8s/" + String(repeating: "n", count: 101),
        String(repeating: "d", count: 156) + "/x.yaml",
    ])
    func refused(_ path: String) throws {
        #expect(throws: Problem.self) { _ = try SourceArchive([SourceArchive.Entry(path: path, contents: Data())]).tar() }
    }

    @Test("a path given twice, or a file that is also another file's directory, is refused")
    func twice() {
        let entry = SourceArchive.Entry(path: "a.yaml", contents: Data())
        #expect(throws: Problem.self) { _ = try SourceArchive([entry, entry]) }
        let inside = SourceArchive.Entry(path: "a.yaml/b.yaml", contents: Data())
        #expect(throws: Problem.self) { _ = try SourceArchive([entry, inside]) }
    }

    /// Random trees: up to 12 files, up to 5 directories deep, names of ASCII and multi-byte
    /// UTF-8 of up to 60 bytes (so some paths need ustar's prefix and some cannot be held),
    /// contents of up to 1,400 random bytes.
    struct RandomTree: Sendable, CustomStringConvertible {
        var entries: [SourceArchive.Entry]

        init(seeds: [Int]) {
            let parts = ["k8s", "overlays", "argocd", "vendor", "é", "日本", "gateway-api", "x"]
            entries = seeds.enumerated().map { index, seed in
                var generator = SeededGenerator(seed: UInt64(seed))
                let depth = Int(generator.next() % 6)
                let directories = (0..<depth).map { _ in
                    let part = parts[Int(generator.next() % UInt64(parts.count))]
                    return String(repeating: part, count: 1 + Int(generator.next() % 8)).prefix(60)
                }
                let contents = Data((0..<Int(generator.next() % 1400)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
                return SourceArchive.Entry(
                    path: (directories.map(String.init) + ["f\(index).yaml"]).joined(separator: "/"), contents: contents)
            }
        }

        var description: String { entries.map { "\($0.path) (\($0.contents.count) bytes)" }.joined(separator: ", ") }
    }

    @Test("random trees: the real tar unpacks exactly the files given, or the archive refuses a path too long for it")
    func randomTreesRoundTrip() async throws {
        let trees = Gen.int(in: 0...Int(Int32.max)).array(of: 1...12).map(RandomTree.init)
        let unpacked = Mutex(0)
        await propertyCheck(count: 40, input: trees) { tree in
            let archive: Data
            do {
                archive = try SourceArchive(tree.entries).tarGzip()
            } catch {
                // Refused only when some path is beyond ustar's 100-byte name.
                #expect(tree.entries.contains { $0.path.utf8.count > 100 }, "\(error): \(tree)")
                return
            }
            let (directory, _) = try await Self.unpack(archive)
            let out = directory.url.appending(path: "out")
            for entry in tree.entries {
                let read = FileManager.default.contents(atPath: out.appending(path: entry.path).path)
                #expect(read == entry.contents, "\(entry.path) in \(tree)")
            }
            let files = FileManager.default.enumerator(atPath: out.path)?.compactMap { $0 as? String }
                .filter { !((try? out.appending(path: $0).resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? true) }
            #expect(Set(files ?? []) == Set(tree.entries.map(\.path)), "\(tree)")
            unpacked.withLock { $0 += 1 }
        }
        // The generator must give mostly trees a tar can hold, or the property says little.
        #expect(unpacked.withLock { $0 } >= 10, "only \(unpacked.withLock { $0 }) of 40 trees could be archived")
    }

    @Test("the OCI manifest names one tar+gzip layer and the empty config, by their digests; its digest is its bytes'")
    func artifactManifest() throws {
        let artifact = try OCIArtifact(try SourceArchive(Self.entries))
        let manifest = try #require(try JSONSerialization.jsonObject(with: artifact.manifest) as? [String: Any])
        #expect(manifest["schemaVersion"] as? Int == 2)
        #expect(manifest["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        #expect(layers.count == 1)
        #expect(layers.first?["mediaType"] as? String == "application/vnd.oci.image.layer.v1.tar+gzip")
        #expect(layers.first?["digest"] as? String == "sha256:" + SHA256.hexDigest(of: artifact.layer.data))
        #expect(layers.first?["size"] as? Int == artifact.layer.data.count)
        let config = try #require(manifest["config"] as? [String: Any])
        // image-spec v1.1's empty descriptor: the two bytes `{}`.
        #expect(config["digest"] as? String == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(config["size"] as? Int == 2)
        #expect(artifact.digest == "sha256:" + SHA256.hexDigest(of: artifact.manifest))
    }
}
