import Kubernetes
import Foundation
import ProvisionCore
import Testing
import TestSupport

@Suite("SecretVault")
struct SecretVaultTests {
    static let spec = SecretSpec(name: "postgres-credentials", namespace: "staging-infra", keys: [
        ("POSTGRES_USER", .literal("postgres")),
        ("POSTGRES_PASSWORD", .random(length: 32)),
        ("API_TOKEN", .random(length: 64)),
    ])

    static func permissions(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test func generatesStrongValuesIntoOwnerOnlyFiles() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let vault = SecretVault(stateDirectory: temporary.url, cluster: "wrightnow")
        let values = try vault.values(for: Self.spec)

        #expect(values.map(\.key) == ["POSTGRES_USER", "POSTGRES_PASSWORD", "API_TOKEN"])
        #expect(values[0].value == "postgres")
        #expect(values[1].value.count == 32 && values[2].value.count == 64)
        for value in values.dropFirst().map(\.value) {
            #expect(value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            // 32 characters from 62 cannot plausibly repeat a tiny alphabet.
            #expect(Set(value).count > 10)
        }
        #expect(values[1].value != String(values[2].value.prefix(32)))

        let directory = temporary.url.appending(path: "clusters/wrightnow/secrets")
        let file = directory.appending(path: "postgres-credentials.env")
        #expect(vault.directory.standardizedFileURL == directory.standardizedFileURL)
        #expect(try Self.permissions(directory) == 0o700)
        #expect(try Self.permissions(file) == 0o600)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("POSTGRES_PASSWORD=\(values[1].value)\n"))
        // Literals are settings, not secrets: they stay in the spec, not in the file.
        #expect(!text.contains("POSTGRES_USER"))
    }

    @Test func reusesValuesAcrossVaultsAndRuns() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let first = try SecretVault(stateDirectory: temporary.url, cluster: "wrightnow").values(for: Self.spec)
        // A new vault object is what the next `provision up` (or one after `down`) gets.
        let second = try SecretVault(stateDirectory: temporary.url, cluster: "wrightnow").values(for: Self.spec)
        #expect(first.map(\.value) == second.map(\.value))
        // Another cluster has its own values.
        let other = try SecretVault(stateDirectory: temporary.url, cluster: "other").values(for: Self.spec)
        #expect(other[1].value != first[1].value)
    }

    @Test func addsNewKeysWithoutTouchingExistingOnes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let vault = SecretVault(stateDirectory: temporary.url, cluster: "wrightnow")
        let before = try vault.values(for: Self.spec)
        var grown = Self.spec
        grown.keys.append((key: "REPLICATION_PASSWORD", value: .random(length: 16)))
        let after = try vault.values(for: grown)
        #expect(Array(after.prefix(3)).map(\.value) == before.map(\.value))
        #expect(after[3].key == "REPLICATION_PASSWORD" && after[3].value.count == 16)
        #expect(try vault.values(for: grown).map(\.value) == after.map(\.value))
        #expect(try Self.permissions(vault.fileURL(for: "postgres-credentials")) == 0o600)
    }

    @Test func tightensLooseDirectoryPermissions() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let vault = SecretVault(stateDirectory: temporary.url, cluster: "wrightnow")
        try FileManager.default.createDirectory(
            at: vault.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        _ = try vault.values(for: Self.spec)
        #expect(try Self.permissions(vault.directory) == 0o700)
    }

    @Test func storedValuesAreOnlyReadWhenAsked() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let vault = SecretVault(stateDirectory: temporary.url, cluster: "wrightnow")
        #expect(try vault.storedValues(of: "postgres-credentials") == nil)
        let values = try vault.values(for: Self.spec)
        let stored = try #require(try vault.storedValues(of: "postgres-credentials"))
        #expect(stored.map(\.key) == ["POSTGRES_PASSWORD", "API_TOKEN"])
        #expect(stored.map(\.value) == values.dropFirst().map(\.value))
    }

    @Test func aDamagedFileIsReportedWithoutItsValues() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let vault = SecretVault(stateDirectory: temporary.url, cluster: "wrightnow")
        let values = try vault.values(for: Self.spec)
        let file = vault.fileURL(for: "postgres-credentials")
        let password = values[1].value
        try "POSTGRES_PASSWORD=\(password)\n\(password)-without-a-key\n".write(to: file, atomically: true, encoding: .utf8)
        #expect {
            try vault.values(for: Self.spec)
        } throws: { error in
            let text = "\(error)"
            return text.contains("line 2") && text.contains(file.path) && !text.contains(password)
        }
    }

    @Test func anUnwritableStateDirectoryIsAClearError() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        // A file where the directory should be: creation fails whoever runs the test.
        let blocker = try temporary.write("not a directory", to: "state")
        let vault = SecretVault(stateDirectory: blocker, cluster: "wrightnow")
        #expect {
            try vault.values(for: Self.spec)
        } throws: { "\($0)".contains("cannot create the secrets directory") }
    }
}
