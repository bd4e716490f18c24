import Foundation
import TestSupport
import Testing

/// Every `provision` command in the docs names a real subcommand with real options, and the
/// commands that can run without a cluster are run and must behave as written.
@Suite("Commands shown in the documentation", .serialized)
struct DocumentedCommandTests {
    /// What is wrong with `commands` according to `help`; empty when all exist.
    static func problems(_ commands: [DocumentedCommand], help: ProvisionHelp) -> [String] {
        commands.flatMap { command -> [String] in
            if let sub = command.subcommand, !help.subcommands.contains(sub) {
                return ["\(command): `\(sub)` is not a subcommand (there are: \(help.subcommands.sorted().joined(separator: ", ")))"]
            }
            let known = help.options(of: command)
            return command.options.filter { !known.contains($0) && !["-h", "--help"].contains($0) }
                .map { "\(command): `\($0)` is not an option of provision \(command.subcommand ?? "")" }
        }
    }

    @Test("every provision command in the docs is a real subcommand with real options")
    func commandsExist() async throws {
        let commands = try DocumentedCommand.all()
        try #require(commands.contains { $0.subcommand == "up" }, "the docs show no `provision up`")
        let problems = Self.problems(commands, help: try await ProvisionHelp.load())
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Documented commands that touch no cluster: help, version, plan, components.
    static func runnableHere(_ command: DocumentedCommand) -> Bool {
        guard !command.arguments.contains(where: { $0.contains("<") || $0.contains("[") }) else { return false }
        if command.options.contains("--help") || command.options.contains("-h") { return true }
        switch command.subcommand {
        case nil: return command.options == ["--version"]
        case "plan", "components": return true
        default: return false
        }
    }

    @Test("documented commands that need no cluster run and succeed")
    func runnableCommandsSucceed() async throws {
        let runnable = Set(try DocumentedCommand.all().filter(Self.runnableHere)
            .map { [$0.subcommand].compactMap { $0 } + $0.arguments })
        #expect(runnable.contains(["--help"]), "the docs should show `provision --help`")
        #expect(runnable.contains(["plan"]), "the docs should show `provision plan`")
        for arguments in runnable.sorted(by: { $0.joined() < $1.joined() }) {
            let outcome = try await ProvisionBinary.run(arguments)
            #expect(outcome.status == 0, "provision \(arguments.joined(separator: " ")) failed:\n\(outcome)")
            #expect(!outcome.output.isEmpty, "provision \(arguments.joined(separator: " ")) printed nothing")
        }
    }

    @Test("documented cloud backends stop with exit code 3 and point to the migration guide")
    func cloudBackendsRefuse() async throws {
        let clouds = try DocumentedCommand.all().filter { command in
            guard command.subcommand == "up", let index = command.arguments.firstIndex(of: "--backend"),
                index + 1 < command.arguments.count
            else { return false }
            return ["gke", "eks", "aks"].contains(command.arguments[index + 1])
        }
        try #require(!clouds.isEmpty, "the docs show no `provision up --backend gke|eks|aks`")
        let state = FileManager.default.temporaryDirectory.appending(path: "docs-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        for command in Set(clouds.map(\.arguments)) {
            let outcome = try await ProvisionBinary.run(["up"] + command, environment: ["PROVISION_STATE_DIR": state.path])
            #expect(outcome.status == 3, "provision up \(command.joined(separator: " ")):\n\(outcome)")
            #expect((outcome.output + outcome.error).contains("docs/kubernetes-setup.md#cloud-migration"))
        }
    }

    @Test("every `kubectl kustomize` in the docs renders")
    func kustomizeCommandsRender() async throws {
        let lines = try DocumentationSet.documents().flatMap { $0.codeLines + $0.codeSpans }
        let targets = Set(lines.compactMap { $0.wholeMatch(of: /kubectl kustomize ([\w.\/-]+)/).map { String($0.1) } })
        try #require(targets.contains("k8s/overlays/local"), "the docs should show `kubectl kustomize k8s/overlays/local`")
        for target in targets.sorted() {
            let outcome = try await Shell.run("kubectl", ["kustomize", target])
            #expect(outcome.status == 0, "kubectl kustomize \(target):\n\(outcome)")
            #expect(outcome.output.contains("kind:"), "kubectl kustomize \(target) rendered nothing")
        }
    }

    @Test("the README names the two commands: bring the stack up, pass the tests")
    func readmeNamesTheTwoCommands() throws {
        let readme = try MarkdownDocument(path: "README.md")
        #expect(readme.codeLines.contains("swift run provision up --backend kind"))
        #expect(readme.codeLines.contains("./scripts/test"))
        #expect(Repository.exists("scripts/test"))
    }

    // MARK: the checks can fail

    static let fakeHelp = ProvisionHelp(
        subcommands: ["up", "plan"], options: ["": ["--version"], "up": ["--backend", "--only"], "plan": []])

    @Test("an unknown subcommand or option is reported")
    func unknownCommandIsReported() {
        let bad = DocumentedCommand.find(in: "provision deploy --backend kind", source: "x.md")
            + DocumentedCommand.find(in: "swift run provision up --backnd kind", source: "x.md")
        let problems = Self.problems(bad, help: Self.fakeHelp)
        #expect(problems.count == 2)
        #expect(problems[0].contains("`deploy` is not a subcommand"))
        #expect(problems[1].contains("`--backnd` is not an option"))
        #expect(Self.problems(DocumentedCommand.find(in: "provision up --backend=kind --help", source: "x.md"),
                              help: Self.fakeHelp).isEmpty)
    }

    @Test("commands are found after swift run and paths, not after --product, and stop at shell operators")
    func commandExtraction() {
        let found = DocumentedCommand.find(
            in: "swift build --product provision && .build/debug/provision up --only redis | tee log # note",
            source: "x.md")
        #expect(found.map(\.subcommand) == ["up"])
        #expect(found.first?.arguments == ["--only", "redis"])
        #expect(DocumentedCommand.find(in: "provision-bench --runs 3", source: "x.md").isEmpty)
    }

    @Test("subcommands and options are read from ArgumentParser's help layout")
    func helpParsing() {
        let help = """
            USAGE: provision <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              up                      Bring the stack up.
              history (default)       Past runs.
              help                    Show subcommand help information.

              See 'provision help <subcommand>' for detailed help.
            """
        #expect(ProvisionHelp.subcommands(inHelp: help) == ["up", "history"])
        #expect(ProvisionHelp.options(inHelp: help) == ["--version", "-h", "--help"])
    }
}
