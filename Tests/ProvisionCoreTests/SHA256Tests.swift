import Foundation
import ProcessRunning
import ProvisionCore
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    // FIPS 180-4 examples (NIST CSRC "Example Algorithms") and the long-message vector.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func nistVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(of: message) == digest)
    }

    @Test func oneMillionTimesA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(of: message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every padding boundary (55, 56, 63, 64, 65 bytes...) agrees with the system's sha256sum,
    /// and feeding the bytes in pieces gives the same digest as feeding them at once.
    @Test func agreesWithSha256sumAcrossBlockBoundaries() async throws {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let output = try await SubprocessCommandRunner().run(Command("sha256sum", ["-"], standardInput: Data(bytes)))
            let expected = String(output.standardOutput.prefix(64))
            #expect(SHA256.hexDigest(of: bytes) == expected, "length \(length)")

            var pieces = SHA256()
            pieces.update(bytes.prefix(length / 3))
            pieces.update(bytes.dropFirst(length / 3))
            #expect(pieces.finalize().map { String(format: "%02x", $0) }.joined() == expected)
        }
    }
}
