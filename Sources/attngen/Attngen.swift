import ArgumentParser

@main
struct Attngen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attngen",
        abstract: "Describe attention tilings, check them, and run them.",
        discussion: """
            A spec file (JSON, see docs/spec-format.md) describes the problem, the mask, the tiling and
            the schedule. Example:
              attngen validate Kernels/specs/dense-causal-1d.json
            """,
        subcommands: [ValidateCommand.self, ExplainCommand.self, InputsCommand.self, RunCommand.self, GradCommand.self, EmitCommand.self, BenchCommand.self, SimulateCommand.self, DevicesCommand.self, CatalogCommand.self, PackageCommand.self])
}
