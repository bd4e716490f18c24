/// The components of one run, in an order that respects every dependency.
///
/// Built from the registered components without touching any cluster, so
/// `provision plan` can print it. The same input always gives the same order:
/// among components that are free to go, the smaller id comes first.
public struct Plan: Sendable {
    /// The selected components and everything they depend on, dependencies first.
    public let steps: [any Component]
    /// Ids of ``steps``, in the same order.
    public let order: [ComponentID]
    /// Groups that could run side by side: wave `n` holds the components whose
    /// longest dependency chain has length `n`. For display only; the scheduler
    /// starts each step as soon as its own dependencies are done.
    public let waves: [[ComponentID]]

    private let byID: [ComponentID: any Component]
    private let dependentsByID: [ComponentID: [ComponentID]]

    /// - Parameters:
    ///   - components: every registered component.
    ///   - selecting: the components the user asked for; `nil` means all non-optional ones.
    ///     Their dependencies are always pulled in.
    ///   - includeOptional: also deploy the optional components.
    /// - Throws: ``PlanError`` naming the offending component.
    public init(
        components: [any Component],
        selecting: Set<ComponentID>? = nil,
        includeOptional: Bool = false
    ) throws {
        let registry = try Self.validatedRegistry(components)
        try Self.rejectCycles(in: registry)

        var roots = Set<ComponentID>()
        if let selecting {
            for id in selecting.sorted() where registry[id] == nil {
                throw PlanError.unknownSelection(id, known: registry.keys.sorted())
            }
            roots = selecting
        } else {
            roots = Set(registry.values.filter { !$0.isOptional }.map(\.id))
        }
        if includeOptional {
            roots.formUnion(registry.values.filter(\.isOptional).map(\.id))
        }

        let included = Self.closure(of: roots, in: registry)
        let order = Self.topologicalOrder(of: included, in: registry)
        self.order = order
        self.steps = order.map { registry[$0]! }
        self.byID = registry.filter { included.contains($0.key) }

        var dependents: [ComponentID: [ComponentID]] = [:]
        for id in order {
            for dependency in Set(registry[id]!.dependencies) {
                dependents[dependency, default: []].append(id)
            }
        }
        self.dependentsByID = dependents
        self.waves = Self.waves(of: order, in: registry)
    }

    /// The wave `id` is in, numbered from 1 as `provision plan` prints it (the WAVE column,
    /// and the sync wave `provision argocd export` gives its objects); nil when not planned.
    public func waveNumber(of id: ComponentID) -> Int? {
        waves.firstIndex { $0.contains(id) }.map { $0 + 1 }
    }

    /// The component with this id, if it is part of the plan.
    public func component(_ id: ComponentID) -> (any Component)? { byID[id] }

    /// Direct dependencies of `id`, sorted, without duplicates.
    public func dependencies(of id: ComponentID) -> [ComponentID] {
        Set(byID[id]?.dependencies ?? []).sorted()
    }

    /// Components in the plan that depend directly on `id`, in plan order.
    public func dependents(of id: ComponentID) -> [ComponentID] {
        dependentsByID[id] ?? []
    }

    /// Everything that depends on `id` directly or indirectly, in plan order.
    public func transitiveDependents(of id: ComponentID) -> [ComponentID] {
        var found = Set<ComponentID>()
        var pending = dependents(of: id)
        while let next = pending.popLast() {
            if found.insert(next).inserted { pending += dependents(of: next) }
        }
        return order.filter(found.contains)
    }

    // MARK: - Building

    private static func validatedRegistry(_ components: [any Component]) throws -> [ComponentID: any Component] {
        var registry: [ComponentID: any Component] = [:]
        for component in components {
            guard registry[component.id] == nil else { throw PlanError.duplicateID(component.id) }
            registry[component.id] = component
        }
        for id in registry.keys.sorted() {
            for dependency in registry[id]!.dependencies.sorted() where registry[dependency] == nil {
                throw PlanError.unknownDependency(component: id, missing: dependency)
            }
        }
        return registry
    }

    /// Depth-first search in id order; a dependency found on the current path closes a cycle.
    private static func rejectCycles(in registry: [ComponentID: any Component]) throws {
        enum Mark { case onPath, done }
        var marks: [ComponentID: Mark] = [:]
        var path: [ComponentID] = []

        func visit(_ id: ComponentID) throws {
            switch marks[id] {
            case .done: return
            case .onPath:
                let start = path.firstIndex(of: id)!
                throw PlanError.cycle(Array(path[start...]) + [id])
            case nil: break
            }
            marks[id] = .onPath
            path.append(id)
            for dependency in Set(registry[id]!.dependencies).sorted() { try visit(dependency) }
            path.removeLast()
            marks[id] = .done
        }
        for id in registry.keys.sorted() { try visit(id) }
    }

    private static func closure(
        of roots: Set<ComponentID>, in registry: [ComponentID: any Component]
    ) -> Set<ComponentID> {
        var included = Set<ComponentID>()
        var pending = Array(roots)
        while let id = pending.popLast() {
            if included.insert(id).inserted { pending += registry[id]!.dependencies }
        }
        return included
    }

    /// Kahn's algorithm, always taking the smallest ready id, so the order is deterministic.
    private static func topologicalOrder(
        of included: Set<ComponentID>, in registry: [ComponentID: any Component]
    ) -> [ComponentID] {
        var remaining: [ComponentID: Int] = [:]
        var dependents: [ComponentID: [ComponentID]] = [:]
        for id in included {
            let dependencies = Set(registry[id]!.dependencies)
            remaining[id] = dependencies.count
            for dependency in dependencies { dependents[dependency, default: []].append(id) }
        }
        var ready = included.filter { remaining[$0] == 0 }.sorted(by: >)
        var order: [ComponentID] = []
        while let next = ready.popLast() {
            order.append(next)
            for dependent in dependents[next] ?? [] {
                remaining[dependent]! -= 1
                if remaining[dependent] == 0 {
                    ready.append(dependent)
                    ready.sort(by: >)
                }
            }
        }
        return order
    }

    private static func waves(
        of order: [ComponentID], in registry: [ComponentID: any Component]
    ) -> [[ComponentID]] {
        var depth: [ComponentID: Int] = [:]
        var waves: [[ComponentID]] = []
        for id in order {
            let level = registry[id]!.dependencies.map { depth[$0]! + 1 }.max() ?? 0
            depth[id] = level
            if waves.count <= level { waves.append([]) }
            waves[level].append(id)
        }
        return waves.map { $0.sorted() }
    }
}
