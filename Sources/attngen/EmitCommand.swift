import ArgumentParser
import AttentionGen
import Foundation
import GLSLEmitter

struct EmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Print or write the generated program for a spec.",
        discussion: """
            Targets: ir (the tile-level kernel IR the CPU interpreter runs; stable text for review) and
            opencl (OpenCL C 1.2 kernels; with --out, NAME.cl plus NAME.manifest.json, which lists the
            kernels, their arguments, the buffers with the plan data and the dispatch sequence, so a
            C/C++ host can run them without Swift), glsl (GLSL 450 compute shaders for Vulkan: NAME.comp, one
            NAME.KERNEL.comp per further kernel, plus NAME.glsl-manifest.json with the bindings, push constants,
            specialization constants and dispatch sizes) and spirv (the same, compiled to NAME.spv /
            NAME.KERNEL.spv with glslangValidator; needs --out).
            Examples:
              attngen emit Kernels/specs/decode-gqa-lean.json --target ir
              attngen emit Kernels/specs/neighborhood-2d-dilated.json --target opencl --out kernels/
              attngen emit Kernels/specs/decode-gqa-splitkv.json --target spirv --out kernels/
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case ir, opencl, glsl, spirv
    }

    @OptionGroup var spec: SpecArgument

    @Option(help: "What to emit: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target = .ir

    @Option(help: "Folder to write into (created if missing); without it the program goes to stdout.")
    var out: String?

    @Flag(help: "Replace existing files.")
    var force = false

    @OptionGroup var memory: MemoryBudgetArgument

    @Option(help: "Kernel strategy for opencl, glsl and spirv, in the compact form the manifests record (e.g. 16x16,4x4,h64,v64[,wN][,sg][,unrolled]); default: the one chosen for the portable device profile.")
    var strategy: String?

    @Option(help: "glsl and spirv: the target device's subgroup size, where its compute shaders may shuffle within subgroups (a power of two); lets the strategy reduce rows by shuffles (sg).")
    var subgroupSize: Int?

    func validate() throws {
        if let strategy, KernelStrategy(compact: strategy) == nil {
            throw ValidationError("--strategy \(strategy): expected \(KernelStrategy.compactFormat), e.g. 16x16,4x4,h64,v64")
        }
        if let subgroupSize, subgroupSize < 1 || subgroupSize & (subgroupSize - 1) != 0 || subgroupSize > 128 {
            throw ValidationError("--subgroup-size \(subgroupSize): expected a power of two from 1 to 128")
        }
        if subgroupSize != nil && target != .glsl && target != .spirv {
            throw ValidationError("--subgroup-size applies to --target glsl and spirv (OpenCL C 1.2 has no subgroup shuffles)")
        }
    }

    func run() throws {
        let spec = try spec.load()
        if target != .ir { try memory.require(spec, path: self.spec.spec) { $0.emit } }
        let plan = try self.spec.plan(spec)
        let program = KernelProgram(spec: spec)
        let strategy = self.strategy.flatMap(KernelStrategy.init(compact:))
        let name = URL(fileURLWithPath: self.spec.spec).deletingPathExtension().lastPathComponent
        var files: [(name: String, text: String)]
        var binaries: [(name: String, words: [UInt32])] = []
        switch target {
        case .ir:
            files = [("\(name).ir.txt", program.text(plan: plan))]
        case .opencl:
            let source = try OpenCLKernelSource(program: program, plan: plan, strategy: strategy)
            files = [
                ("\(name).cl", source.source),
                ("\(name).manifest.json", source.manifest(sourceFile: "\(name).cl").prettyText() + "\n"),
            ]
        case .glsl, .spirv:
            let source = try GLSLKernelSource(
                program: program, plan: plan, options: GLSLOptions(unrollTileLoops: strategy?.unrolled ?? false, strategy: strategy, subgroupSize: subgroupSize))
            // The first shader is NAME.comp, the others NAME.KERNEL.comp.
            let stems = source.shaders.enumerated().map { $0.offset == 0 ? name : "\(name).\($0.element.name)" }
            files = zip(stems, source.shaders).map { ("\($0).comp", $1.source) }
            var spirvFiles: [String: String] = [:]
            if target == .spirv {
                guard out != nil else { throw CLIError("--target spirv writes binary files; pass --out FOLDER") }
                // glslang, in process: a compile error names the shader and quotes the offending lines.
                for (stem, shader) in zip(stems, source.shaders) {
                    binaries.append(("\(stem).spv", try SPIRVCompiler.compile(glsl: shader.source, stage: .compute, name: "\(stem).comp")))
                }
                spirvFiles = Dictionary(uniqueKeysWithValues: zip(source.shaders.map(\.name), binaries.map(\.name)))
            }
            let sourceFiles = Dictionary(uniqueKeysWithValues: zip(source.shaders.map(\.name), files.map(\.name)))
            files.append(("\(name).glsl-manifest.json",
                          source.manifest(sourceFiles: sourceFiles, spirvFiles: spirvFiles).prettyText() + "\n"))
        }
        guard let out else {
            print(files[0].text, terminator: "")
            return
        }
        let folder = URL(fileURLWithPath: out)
        try makeFolder(folder)
        let urls = files.map { folder.appendingPathComponent($0.name) }
        let binaryURLs = binaries.map { folder.appendingPathComponent($0.name) }
        try checkOutputs((urls + binaryURLs).map { ("--out", $0.path) }, force: force)
        for (url, file) in zip(urls, files) {
            try writeOutput(Data(file.text.utf8), to: url.path, force: force)
            print("wrote \(url.path)")
        }
        for (url, binary) in zip(binaryURLs, binaries) {
            try writeOutput(binary.words.withUnsafeBytes { Data($0) }, to: url.path, force: force)
            print("wrote \(url.path)")
        }
    }
}
