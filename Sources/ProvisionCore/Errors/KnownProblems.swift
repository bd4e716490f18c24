/// The engine's own errors, each as the ``Problem`` the user sees.

extension PlanError: ProblemConvertible {
    public var asProblem: Problem {
        Problem(.usage, problem: problem, fix: fix)
    }
}

extension StoreError: ProblemConvertible {
    public var asProblem: Problem {
        let kind: Problem.Kind
        switch self {
        case .clusterBusy: kind = .clusterBusy
        case .notFound: kind = .usage
        case .unreadable, .cannotOpen, .newerSchema, .database: kind = .stateStore
        }
        let (problem, fix) = Self.split(description)
        return Problem(kind, problem: problem, fix: fix)
    }
}

extension StoreError {
    // TODO(store-grdb merge): StoreError gains structured problem/fix; drop this split then.
    static func split(_ description: String) -> (String, String) {
        guard let range = description.range(of: "\n  fix: ") else { return (description, "") }
        return (String(description[..<range.lowerBound]), String(description[range.upperBound...]))
    }
}
