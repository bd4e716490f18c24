// swift-tools-version: 6.2
import PackageDescription

// provision: brings up the wrightnow staging stack on Kubernetes.
// Layout (docs/architecture.md has the table): ProcessRunning (the one command runner)
//   <- ProvisionCore (the engine and its contracts; no kubectl, YAML, SQLite or kind)
//   <- RunHistory (the SQLite store behind the engine's RunJournal),
//      Kubernetes (the deployment layer every provider shares: render, apply, wait, smoke),
//      Backends (cluster providers: kind, existing, the GKE/EKS/AKS stubs; shared host pieces),
//      Components (declarations): none of these four imports another
//   <- ProvisionCLI (the command line, which composes a provider with the deployment layer)
//   <- provision (the executable).
let package = Package(
    name: "provision",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "provision", targets: ["provision"]),
        .library(name: "ProvisionCore", targets: ["ProvisionCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The system's zlib (zlib1g-dev): the manifests the history keeps compressed, the gzip of an
        // OCI artifact Argo CD syncs from.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Running programs: the one command runner every subprocess goes through.
        .target(name: "ProcessRunning", dependencies: [.product(name: "Subprocess", package: "swift-subprocess")]),
        .target(name: "ProvisionCore", dependencies: ["ProcessRunning"]),
        // The history: the SQLite state store behind the engine's RunJournal (GRDB, zlib, /proc).
        .target(
            name: "RunHistory",
            dependencies: ["ProvisionCore", "CZlib", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "Kubernetes", dependencies: ["ProvisionCore", "ProcessRunning", "CZlib", .product(name: "Yams", package: "Yams")]),
        .target(name: "Backends", dependencies: ["ProvisionCore", "ProcessRunning", .product(name: "Yams", package: "Yams")]),
        .target(name: "Components", dependencies: ["ProvisionCore"]),
        // The command line: its commands, options, composition and rendering, as a library the
        // executable, the tests and the benchmark import.
        .target(
            name: "ProvisionCLI",
            dependencies: [
                "ProvisionCore", "ProcessRunning", "RunHistory", "Kubernetes", "Backends", "Components",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "provision", dependencies: ["ProvisionCLI"]),
        // Benchmarks live in their own executable so the test suite never times anything.
        .executableTarget(
            name: "provision-bench",
            dependencies: [
                "ProvisionCore", "ProcessRunning", "RunHistory", "Kubernetes", "Backends", "Components", "ProvisionCLI",
                "TestSupport",
            ]),
        // A `provision up` killed mid-run, for the state store's crash-recovery tests.
        .executableTarget(
            name: "store-crash-helper", dependencies: ["ProvisionCore", "RunHistory"], path: "Tests/StoreCrashHelper"),
        // One way for every test target to run programs and find the repository and the built
        // executables (posix_spawn + waitpid: Foundation's Process can miss SIGCHLD in the test binary).
        .target(
            name: "TestSupport", dependencies: ["ProvisionCore", "ProcessRunning", "RunHistory", "Kubernetes"],
            path: "Tests/TestSupport"),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),
        .testTarget(
            name: "ProvisionCoreTests",
            dependencies: [
                "ProvisionCore", "ProcessRunning", "RunHistory", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "RunHistoryTests",
            dependencies: [
                "RunHistory", "ProvisionCore", "TestSupport",
                // The store's tests inject in-memory databases and inspect the stored rows.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "KubernetesTests",
            dependencies: [
                "Kubernetes", "ProvisionCore", "ProcessRunning", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(name: "BackendsTests", dependencies: ["Backends", "ProvisionCore", "TestSupport"]),
        .testTarget(
            name: "ComponentsTests", dependencies: ["Components", "Kubernetes", "ProvisionCore", "ProcessRunning", "TestSupport"]),
        .testTarget(
            name: "ManifestTests",
            dependencies: [
                "ProvisionCore", "ProcessRunning", "Kubernetes", "Components", "TestSupport",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "ProvisionCLI", "Backends", "Components", "Kubernetes", "ProvisionCore", "ProcessRunning", "RunHistory",
                "TestSupport", .product(name: "Yams", package: "Yams"),
            ]),
        .testTarget(name: "RealClusterTests", dependencies: ["ProvisionCore", "Kubernetes", "TestSupport"]),
        // DocsTests also renders a run's Gantt chart with the CLI's own renderer (the doc's picture),
        // and compares the version table with the backends' ToolRequirements.
        .testTarget(
            name: "DocsTests",
            dependencies: [
                "ProvisionCLI", "Backends", "Components", "Kubernetes", "ProvisionCore", "RunHistory", "TestSupport",
            ]),
    ]
)
