import CZlib
import Foundation

/// zlib (deflate) for the manifests the state store keeps: YAML compresses about tenfold.
enum Compression {
    static func compress(_ data: Data) throws -> Data {
        var length = compressBound(uLong(data.count))
        var output = Data(count: Int(length))
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                compress2(
                    out.bindMemory(to: Bytef.self).baseAddress, &length,
                    input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), Z_BEST_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw CompressionError(status: status) }
        output.count = Int(length)
        return output
    }

    /// - Parameter size: the uncompressed size, stored next to the compressed bytes.
    static func decompress(_ data: Data, size: Int) throws -> Data {
        var length = uLongf(size)
        var output = Data(count: max(size, 1))
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                uncompress(
                    out.bindMemory(to: Bytef.self).baseAddress, &length,
                    input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count))
            }
        }
        guard status == Z_OK, Int(length) == size else { throw CompressionError(status: status) }
        output.count = size
        return output
    }

    struct CompressionError: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "zlib failed with status \(status)" }
    }
}
