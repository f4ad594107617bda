import ArgumentParser
import AttentionGen
import Foundation

struct EmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Print or write the generated program for a spec.",
        discussion: """
            Targets: ir (the tile-level kernel IR the CPU interpreter runs; stable text for review) and
            opencl (OpenCL C 1.2 kernels; with --out, NAME.cl plus NAME.manifest.json, which lists the
            kernels, their arguments, the buffers with the plan data and the dispatch sequence, so a
            C/C++ host can run them without Swift). GLSL/SPIR-V is not built yet.
            Examples:
              attngen emit Kernels/specs/decode-gqa-lean.json --target ir
              attngen emit Kernels/specs/neighborhood-2d-dilated.json --target opencl --out kernels/
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case ir, opencl
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
        let program = KernelProgram(spec: spec)
        let name = URL(fileURLWithPath: self.spec.spec).deletingPathExtension().lastPathComponent
        let files: [(name: String, text: String)]
        switch target {
        case .ir:
            files = [("\(name).ir.txt", program.text(plan: plan))]
        case .opencl:
            let source = try OpenCLKernelSource(program: program, plan: plan)
            files = [
                ("\(name).cl", source.source),
                ("\(name).manifest.json", source.manifest(sourceFile: "\(name).cl").prettyText() + "\n"),
            ]
        }
        guard let out else {
            print(files[0].text, terminator: "")
            return
        }
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let urls = files.map { folder.appendingPathComponent($0.name) }
        for url in urls where !force && FileManager.default.fileExists(atPath: url.path) {
            throw CLIError("\(url.path) already exists; pass --force to replace it")
        }
        for (url, file) in zip(urls, files) {
            try Data(file.text.utf8).write(to: url)
            print("wrote \(url.path)")
        }
    }
}
