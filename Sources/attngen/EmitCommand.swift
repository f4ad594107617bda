import ArgumentParser
import AttentionGen
import Foundation

struct EmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Print or write the generated program for a spec.",
        discussion: """
            Targets: ir (the tile-level kernel IR the CPU interpreter runs; stable text for review).
            OpenCL C and GLSL/SPIR-V emitters are not built yet.
            Example:
              attngen emit Kernels/specs/decode-gqa-lean.json --target ir
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case ir
    }

    @OptionGroup var spec: SpecArgument

    @Option(help: "What to emit: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target = .ir

    @Option(help: "Folder to write into (created if missing); without it the program goes to stdout.")
    var out: String?

    @Flag(help: "Replace existing files.")
    var force = false

    func run() throws {
        let spec = try spec.load()
        let plan = try TilePlan(spec)
        let text = KernelProgram(spec: spec).text(plan: plan)
        guard let out else {
            print(text, terminator: "")
            return
        }
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = URL(fileURLWithPath: self.spec.spec).deletingPathExtension().lastPathComponent
        let file = folder.appendingPathComponent("\(name).ir.txt")
        if !force && FileManager.default.fileExists(atPath: file.path) {
            throw CLIError("\(file.path) already exists; pass --force to replace it")
        }
        try Data(text.utf8).write(to: file)
        print("wrote \(file.path)")
    }
}
