import CZlib
import Foundation
import ProvisionCore

/// Files as one gzip-compressed POSIX tar (ustar) stream: the content layer of the OCI artifact
/// Argo CD syncs from the local registry. The same files give the same bytes (sorted entries,
/// owner 0, time 0, no gzip name or time), so an unchanged tree has an unchanged digest and a
/// second push uploads nothing.
///
/// Argo CD unpacks such a layer with Go's archive/tar (argo-cd v3.5.1 util/io/files/tar.go
/// `untar`: directories and regular files; a symbolic link must stay inside the tree), so only
/// those two kinds are written.
public struct SourceArchive: Sendable {
    /// A regular file, by its `/`-separated path relative to the archive's root.
    public struct Entry: Sendable, Hashable {
        public var path: String
        public var contents: Data

        public init(path: String, contents: Data) {
            self.path = path
            self.contents = contents
        }
    }

    public let entries: [Entry]

    /// - Throws: ``Problem`` for a path that is absolute, climbs out with `..`, or is given twice.
    public init(_ entries: [Entry]) throws {
        var seen = Set<String>()
        for entry in entries {
            let parts = entry.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !entry.path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw Problem(
                    problem: "the archive path \(entry.path) is not a plain relative path",
                    fix: "give paths relative to the archive's root, without `.`, `..` or empty parts")
            }
            guard seen.insert(entry.path).inserted else {
                throw Problem(problem: "the archive path \(entry.path) is given twice", fix: "give each file once")
            }
        }
        self.entries = entries.sorted { $0.path < $1.path }
        // A file cannot also be a directory of another file (tar would unpack one over the other).
        if let file = directories.first(where: seen.contains) {
            throw Problem(
                problem: "the archive path \(file) is both a file and the directory of another file",
                fix: "give paths as a file system lists them")
        }
    }

    /// The directories the files are in, each once, parents first.
    var directories: [String] {
        var directories = Set<String>()
        for entry in entries {
            var parts = entry.path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                directories.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        return directories.sorted()
    }

    /// The uncompressed tar stream: a header per directory (parents first) and per file, then
    /// the two zero blocks that end an archive.
    public func tar() throws -> Data {
        var archive = Data()
        for directory in directories {
            archive += try Self.header(path: directory + "/", size: 0, mode: 0o755, type: "5")
        }
        for entry in entries {
            archive += try Self.header(path: entry.path, size: entry.contents.count, mode: 0o644, type: "0")
            archive += entry.contents
            archive += Data(count: (512 - entry.contents.count % 512) % 512)
        }
        archive += Data(count: 1024)
        return archive
    }

    /// ``tar()`` compressed with gzip (RFC 1952), as the layer media type
    /// `application/vnd.oci.image.layer.v1.tar+gzip` says.
    public func tarGzip() throws -> Data {
        try Self.gzip(try tar())
    }

    // MARK: ustar

    /// A 512-byte ustar header (POSIX.1-1988, as `pax` describes it): octal numeric fields,
    /// the checksum summed over the header with its own field as spaces.
    static func header(path: String, size: Int, mode: Int, type: Character) throws -> Data {
        let (prefix, name) = try split(path)
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            // width - 1 digits, then the NUL the field ends with.
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(mode, at: 100, width: 8)
        octal(0, at: 108, width: 8)  // uid
        octal(0, at: 116, width: 8)  // gid
        octal(size, at: 124, width: 12)
        octal(0, at: 136, width: 12)  // mtime: the epoch, so the bytes do not depend on when
        put(String(type), at: 156, width: 1)
        put("ustar", at: 257, width: 6)  // "ustar\0"
        put("00", at: 263, width: 2)
        put(prefix, at: 345, width: 155)
        for index in 148..<156 { block[index] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, width: 6)
        block[154] = 0
        block[155] = 0x20
        return Data(block)
    }

    /// Splits a path into ustar's prefix (up to 155 bytes) and name (up to 100 bytes) at a `/`.
    static func split(_ path: String) throws -> (prefix: String, name: String) {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ("", path) }
        // The last `/` that leaves a name of at most 100 bytes and a prefix of at most 155.
        let trailing = path.hasSuffix("/") ? 1 : 0
        for index in stride(from: bytes.count - 1 - trailing, through: 0, by: -1) where bytes[index] == UInt8(ascii: "/") {
            let nameCount = bytes.count - index - 1
            if nameCount > 100 { break }
            if index <= 155, nameCount > 0 {
                return (String(decoding: bytes[..<index], as: UTF8.self), String(decoding: bytes[(index + 1)...], as: UTF8.self))
            }
        }
        throw Problem(
            problem: "the path \(path) is too long for a tar archive (ustar: a name of up to 100 bytes after a "
                + "directory of up to 155)",
            fix: "shorten the path in the repository")
    }

    // MARK: gzip

    /// gzip with zlib's own wrapper (window bits 15 + 16): no file name, time 0, so the same
    /// input gives the same bytes.
    static func gzip(_ data: Data) throws -> Data {
        var stream = z_stream()
        var status = deflateInit2_(
            &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw GzipError(status: status) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count)))
        var output = Data(count: bound)
        let produced: Int = output.withUnsafeMutableBytes { out in
            var input = data
            return input.withUnsafeMutableBytes { bytes in
                stream.next_in = bytes.bindMemory(to: Bytef.self).baseAddress
                stream.avail_in = uInt(data.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(bound)
                status = deflate(&stream, Z_FINISH)
                return bound - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw GzipError(status: status) }
        output.count = produced
        return output
    }

    struct GzipError: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "zlib could not gzip the archive (status \(status))" }
    }
}
