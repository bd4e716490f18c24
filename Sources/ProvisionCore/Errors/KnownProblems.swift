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
        return Problem(kind, problem: problem, fix: fix)
    }
}
