import Foundation

/// Identifies a run in the state store; shown to users as `#<n>`.
public struct RunID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { "#\(rawValue)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Identifies one step of a run.
public struct StepID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// How a run ended, or `running` while it is under way.
public enum RunOutcome: String, Sendable, Codable, CaseIterable, Hashable, CustomStringConvertible {
    case running, succeeded, failed, interrupted
    public var description: String { rawValue }
    public var isFinal: Bool { self != .running }
}

/// The life of a step: pending -> running -> succeeded | failed | interrupted,
/// or pending -> skipped | interrupted.
public enum StepState: String, Sendable, Codable, CaseIterable, Hashable, CustomStringConvertible {
    case pending, running, succeeded, failed, skipped, interrupted
    public var description: String { rawValue }
    public var isFinal: Bool { self != .pending && self != .running }
}

/// What a step does. Open set, like ``ComponentID``, so backends can add their own.
public struct StepAction: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// The backend checks its prerequisites.
    public static let preflight: Self = "preflight"
    /// The backend creates the cluster or finds it.
    public static let createCluster: Self = "create-cluster"
    /// A component is applied, waited for and smoke-checked.
    public static let deploy: Self = "deploy"
    /// The backend deletes the cluster and confirms it is gone.
    public static let deleteCluster: Self = "delete-cluster"
    /// The provider's image caches are started (or found running) before the cluster is made.
    public static let startCaches: Self = "start-caches"
    /// One image is pulled through the caches while the cluster is made (its subject: the image).
    public static let pull: Self = "pull"

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What ``RunJournal/beginRun(_:at:)`` needs to know about a new run.
public struct NewRun: Sendable, Hashable {
    public var commandLine: [String]
    public var backend: String
    public var cluster: String
    public var toolVersion: String
    /// The git revision of `k8s/` when known.
    public var manifestsRevision: String?
    /// Who runs it, and where.
    public var user: String?
    public var host: String?

    public init(
        commandLine: [String], backend: String, cluster: String, toolVersion: String, manifestsRevision: String?,
        user: String? = nil, host: String? = nil
    ) {
        self.commandLine = commandLine
        self.backend = backend
        self.cluster = cluster
        self.toolVersion = toolVersion
        self.manifestsRevision = manifestsRevision
        self.user = user
        self.host = host
    }
}

/// One applied object: `Kind/namespace/name` and the SHA-256 of its text.
public struct AppliedObject: Sendable, Hashable, Codable {
    public var reference: String
    public var digest: String
    public init(reference: String, digest: String) {
        self.reference = reference
        self.digest = digest
    }
}

/// A Secret a step wrote, as the history keeps it: where and which keys, never the values.
public struct SecretKeys: Sendable, Hashable, Codable {
    public var namespace: String
    public var name: String
    public var keys: [String]
    public init(namespace: String, name: String, keys: [String]) {
        self.namespace = namespace
        self.name = name
        self.keys = keys
    }
}

/// One run as stored; `Codable` for `provision history --json`.
public struct RunRecord: Sendable, Hashable, Codable {
    public var id: RunID
    public var commandLine: [String]
    public var backend: String
    public var cluster: String
    public var startedAt: Date
    public var endedAt: Date?
    public var outcome: RunOutcome
    public var error: String?
    public var toolVersion: String
    public var manifestsRevision: String?
    /// The process that ran it, used to tell whether a `running` run is still alive.
    public var pid: Int32
    /// Start time of that process (Linux: clock ticks since boot), guarding against pid reuse.
    public var processStartTime: UInt64?
    /// The kubeconfig context the run reached, once its preflight passed.
    public var context: String?
    /// The API server URL behind ``context``, when the provider reports it.
    public var server: String?
    /// The OS user who ran it.
    public var user: String?
    /// The host it ran on.
    public var host: String?
    /// The tools preflight found, as "tool version".
    public var tools: [String]?

    public var duration: Duration? {
        guard let endedAt else { return nil }
        return .milliseconds(Int64((endedAt.timeIntervalSince(startedAt) * 1000).rounded()))
    }
}

/// One step of a run as stored.
public struct StepRecord: Sendable, Hashable, Codable {
    public var id: StepID
    public var runID: RunID
    /// `nil` for run-level steps such as preflight and create-cluster.
    public var component: ComponentID?
    /// What a run-level step works on when it is not a component: the image a `pull` step
    /// warms up. `nil` for the rest.
    public var subject: String?
    public var action: StepAction
    public var state: StepState
    public var startedAt: Date?
    public var endedAt: Date?
    /// Seconds between start and end.
    public var durationSeconds: Double?
    public var attempt: Int
    public var error: String?
    /// Informational text: preflight warnings, "created" or "reused" for the cluster.
    public var note: String?
    /// SHA-256 of what was applied; the bytes are kept in the store (``StateStore/manifest(digest:)``).
    public var digest: String?
    /// The objects applied, each with the digest of its own text. Kept with the manifest of
    /// ``digest`` (steps written before migration v4 may keep their own); ``StateStore/steps(of:)`` fills it in.
    public var objects: [AppliedObject]?
    /// Objects new, different and the same against the component's previous apply on the cluster.
    public var created: Int?
    public var changed: Int?
    public var unchanged: Int?
    /// The Secrets written for the component, by name and key only: never a value.
    public var secrets: [SecretKeys]?

    /// `deploy postgres-pgvector`, `pull docker.io/library/redis:8`, `preflight`.
    public var label: String { StepLabel(action, component, subject: subject).description }
}
