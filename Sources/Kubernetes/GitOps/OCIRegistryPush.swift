import Foundation
import ProcessRunning
import ProvisionCore

/// Pushes an ``OCIArtifact`` to a plain-HTTP registry with the OCI distribution API
/// (distribution-spec v1.1 "Push": a blob is uploaded by POST then PUT `?digest=`, unless a
/// HEAD finds it there already; the manifest by PUT to its tag), through `curl` run by the
/// ``CommandRunner``, like the other HTTP calls, so a failure carries a command a user can paste.
/// `--write-out %header{…}` needs curl 7.84.0 or newer.
public struct OCIRegistryPush: Sendable {
    public let runner: any CommandRunner
    /// `host:port` as curl reaches it from this machine (`127.0.0.1:5001`).
    public let address: String
    /// Where the registry's address is written, for the fixes (`k8s/components/...yaml`).
    public let addressSource: String
    /// How to start the registry when nothing answers.
    public let startRemedy: String

    public init(runner: any CommandRunner, address: String, addressSource: String, startRemedy: String) {
        self.runner = runner
        self.address = address
        self.addressSource = addressSource
        self.startRemedy = startRemedy
    }

    /// Pushes `artifact` as `repository:tag`.
    /// - Returns: whether the tag named the artifact's digest already (then nothing was uploaded).
    /// - Throws: ``Problem`` naming the request, the registry's answer and the fix.
    public func push(_ artifact: OCIArtifact, repository: String, tag: String) async throws -> Bool {
        let base = "http://\(address)/v2/\(repository)"
        let current = try await request(
            "HEAD", "\(base)/manifests/\(tag)", headers: ["Accept: \(OCIArtifact.manifestMediaType)"])
        if current.status == 200, current.digestHeader == artifact.digest {
            return true
        }
        for blob in [artifact.config, artifact.layer] {
            let found = try await request("HEAD", "\(base)/blobs/\(blob.digest)")
            if found.status == 200 { continue }
            try expect(found, 404, "look for blob \(blob.digest)")
            let started = try await request("POST", "\(base)/blobs/uploads/")
            try expect(started, 202, "start the upload of blob \(blob.digest)")
            guard let location = started.location, !location.isEmpty else {
                throw Problem(
                    problem: "the registry at \(address) started an upload without saying where to send it (no Location header)",
                    fix: "check that \(address) is an OCI registry (the `registry:3` container) and not another server")
            }
            let separator = location.contains("?") ? "&" : "?"
            let put = try await request(
                "PUT", absolute(location) + "\(separator)digest=\(blob.digest)",
                headers: ["Content-Type: application/octet-stream"], body: blob.data)
            try expect(put, 201, "upload blob \(blob.digest) (\(blob.data.count) bytes)")
        }
        let put = try await request(
            "PUT", "\(base)/manifests/\(tag)", headers: ["Content-Type: \(OCIArtifact.manifestMediaType)"],
            body: artifact.manifest)
        try expect(put, 201, "store the manifest as \(repository):\(tag)")
        return false
    }

    // MARK: Requests

    struct Answer {
        var command: Command
        var status: Int
        var body: String
        var location: String?
        var digestHeader: String?
    }

    /// The last lines curl writes after the body: status, Location, Docker-Content-Digest.
    private static let writeOut = "\n%{http_code}\n%header{location}\n%header{docker-content-digest}"

    private func request(_ method: String, _ url: String, headers: [String] = [], body: Data? = nil) async throws
        -> Answer
    {
        var arguments = ["-sS", "--max-time", "120"]
        // HEAD has no body to wait for: --head, not -X HEAD (curl's man page says why).
        arguments += method == "HEAD" ? ["--head", "-o", "/dev/null"] : ["-X", method]
        arguments += headers.flatMap { ["-H", $0] }
        if body != nil { arguments += ["--data-binary", "@-"] }
        arguments += ["-w", Self.writeOut, url]
        let command = Command("curl", arguments, standardInput: body, timeout: .seconds(150))
        let output: CommandOutput
        do {
            output = try await runner.execute(command)
        } catch let error as CommandError {
            throw Problem(
                .preflight, problem: "cannot run curl to reach the registry at \(address)",
                fix: "install curl 7.84.0 or newer (https://curl.se/download.html)", cause: error)
        }
        guard output.exitStatus == 0 else {
            // curl's exit 7: could not connect (nothing listens on the port).
            let silent = output.exitStatus == 7
            throw Problem(
                problem: silent
                    ? "nothing answers at \(address), where \(addressSource) says the local registry is"
                    : "the request to the registry at \(address) failed (curl exit \(output.exitStatus))",
                fix: silent ? startRemedy : "check that the registry runs and answers on \(address)",
                cause: CommandError(command: command, reason: .exited(output.exitStatus), output: output))
        }
        var lines = output.standardOutput.components(separatedBy: "\n")
        let digest = lines.popLast().map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let location = lines.popLast().map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let status = lines.popLast().flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return Answer(
            command: command, status: status, body: lines.joined(separator: "\n"),
            location: location?.isEmpty == false ? location : nil, digestHeader: digest?.isEmpty == false ? digest : nil)
    }

    /// A Location the registry gave, made absolute: the distribution spec lets it be a path.
    private func absolute(_ location: String) -> String {
        location.hasPrefix("/") ? "http://\(address)\(location)" : location
    }

    private func expect(_ answer: Answer, _ status: Int, _ what: String) throws {
        guard answer.status != status else { return }
        let codes = Self.errorCodes(answer.body)
        let said = codes.isEmpty ? "" : " (\(codes.joined(separator: "; ")))"
        // distribution answers 405 UNSUPPORTED to a push into a pull-through cache.
        let fix = answer.status == 405
            ? "\(address) refuses pushes: it is a pull-through cache, not the local registry; correct the address in \(addressSource)"
            : "check the registry's log (`docker logs` of its container) and that \(address) is the local registry"
        throw Problem(
            problem: "the registry at \(address) did not \(what): HTTP \(answer.status)\(said)", fix: fix,
            cause: RegistryAnswer(command: answer.command, status: answer.status, body: answer.body))
    }

    /// The request and what the registry answered, printed under a problem.
    struct RegistryAnswer: Error, CustomStringConvertible {
        var command: Command
        var status: Int
        var body: String

        var description: String {
            let lines = body.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").suffix(20)
            return "request: \(command)\n  answered HTTP \(status)" + lines.map { "\n  | \($0)" }.joined()
        }
    }

    /// The `code: message` pairs of a distribution-spec error body (`{"errors":[…]}`).
    static func errorCodes(_ body: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let errors = object["errors"] as? [[String: Any]]
        else { return [] }
        return errors.map { error in
            [error["code"] as? String, error["message"] as? String].compactMap { $0 }.joined(separator: ": ")
        }
    }
}
