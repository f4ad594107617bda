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
            NAME.KERNEL.spv with glslangValidator; needs --out). With --backward, the backward pass's kernels
            instead: NAME.backward.cl and its manifest, or NAME.attention_backward_{rowdot,kv,q}.comp (.spv) and
            NAME.backward.glsl-manifest.json.
            Examples:
              attngen emit Kernels/specs/decode-gqa-lean.json --target ir
              attngen emit Kernels/specs/neighborhood-2d-dilated.json --target opencl --out kernels/
              attngen emit Kernels/specs/decode-gqa-splitkv.json --target spirv --out kernels/
              attngen emit Kernels/specs/neighborhood-2d-7x7.json --target opencl --backward
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case ir, opencl, glsl, spirv
    }

    @OptionGroup var spec: SpecArgument

    @Option(help: "What to emit: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target = .ir

    @Option(help: "Folder to write into (created if missing); without it the program goes to stdout.")
    var out: String?

    @Flag(help: "Emit the backward pass's kernels (dQ, dK, dV) instead of the forward's (opencl, glsl, spirv).")
    var backward = false

    @Flag(help: "Replace existing files.")
    var force = false

    @OptionGroup var memory: MemoryBudgetArgument

    @Option(help: "Kernel strategy for opencl, glsl and spirv, in the compact form the manifests record (e.g. 16x16,4x4,h64,v64[,wN][,sg][,unrolled]); default: the one chosen for the portable device profile.")
    var strategy: String?

    @Option(help: "glsl and spirv: the target device's subgroup size, where its compute shaders may shuffle within subgroups (a power of two); lets the strategy reduce rows by shuffles (sg).")
    var subgroupSize: Int?

    @Option(help: "glsl and spirv: the target device has cooperative matrices in this form (nv: GL_NV_cooperative_matrix, khr: GL_KHR_cooperative_matrix) with 16x16x16 float16 fragments, 48 KiB of shared memory and subgroups of --subgroup-size (default 32); float16 specs then use them.")
    var cooperativeMatrix: CooperativeMatrixStrategy.Form?

    func validate() throws {
        if let strategy, KernelStrategy(compact: strategy) == nil {
            throw ValidationError("--strategy \(strategy): expected \(KernelStrategy.compactFormat), e.g. 16x16,4x4,h64,v64")
        }
        if let subgroupSize, subgroupSize < 1 || subgroupSize & (subgroupSize - 1) != 0 || subgroupSize > 128 {
            throw ValidationError("--subgroup-size \(subgroupSize): expected a power of two from 1 to 128")
        }
        if backward && target == .ir {
            throw ValidationError("--backward applies to --target opencl, glsl and spirv (the interpreter runs the backward from the plan, not from IR text)")
        }
        if backward && (strategy != nil || subgroupSize != nil) {
            throw ValidationError("--strategy and --subgroup-size apply to the forward kernels; the backward kernels have one shape")
        }
        if cooperativeMatrix != nil && target != .glsl && target != .spirv {
            throw ValidationError("--cooperative-matrix applies to --target glsl and spirv (cooperative matrices are Vulkan's)")
        }
        if cooperativeMatrix == .emulated {
            throw ValidationError("--cooperative-matrix emulated: the emulated form is a strategy (--strategy ...,coop:emulated:16x16x16:4x32:f16), not a device")
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
        switch (target, backward) {
        case (.opencl, true):
            let source = try OpenCLGradientSource(plan: plan)
            files = [
                ("\(name).backward.cl", source.source),
                ("\(name).backward.manifest.json", source.manifest(sourceFile: "\(name).backward.cl").prettyText() + "\n"),
            ]
        case (.glsl, true), (.spirv, true):
            let source = try GLSLGradientSource(plan: plan)
            (files, binaries) = try shaderFiles(
                source.shaders, stems: source.shaders.map { "\(name).\($0.name)" }, manifestName: "\(name).backward.glsl-manifest.json",
                manifest: source.manifest)
        case (.ir, _):
            files = [("\(name).ir.txt", program.text(plan: plan))]
        case (.opencl, false):
            let source = try OpenCLKernelSource(program: program, plan: plan, strategy: strategy)
            files = [
                ("\(name).cl", source.source),
                ("\(name).manifest.json", source.manifest(sourceFile: "\(name).cl").prettyText() + "\n"),
            ]
        case (.glsl, false), (.spirv, false):
            var options = GLSLOptions(unrollTileLoops: strategy?.unrolled ?? false, strategy: strategy, subgroupSize: subgroupSize)
            if let form = cooperativeMatrix {
                let lanes = subgroupSize ?? 32
                options.sharedMemoryBytes = 49152
                options.subgroupSize = lanes
                options.cooperativeMatrix = CooperativeMatrixSupport(
                    form: form, shapes: [CooperativeMatrixShape(m: 16, n: 16, k: 16, operand: .float16, float32Accumulator: true)], subgroupSize: lanes)
            }
            let source = try GLSLKernelSource(program: program, plan: plan, options: options)
            // The first shader is NAME.comp, the others NAME.KERNEL.comp.
            (files, binaries) = try shaderFiles(
                source.shaders, stems: source.shaders.enumerated().map { $0.offset == 0 ? name : "\(name).\($0.element.name)" },
                manifestName: "\(name).glsl-manifest.json", manifest: source.manifest)
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

    /// Each shader as STEM.comp (and, for --target spirv, STEM.spv compiled in process by glslang:
    /// a compile error names the shader and quotes the offending lines), then the manifest naming them.
    private func shaderFiles(
        _ shaders: [GLSLShader], stems: [String], manifestName: String,
        manifest: ([String: String], [String: String]) -> JSONValue
    ) throws -> (files: [(name: String, text: String)], binaries: [(name: String, words: [UInt32])]) {
        var files = zip(stems, shaders).map { (name: "\($0).comp", text: $1.source) }
        var binaries: [(name: String, words: [UInt32])] = []
        if target == .spirv {
            guard out != nil else { throw CLIError("--target spirv writes binary files; pass --out FOLDER") }
            for (stem, shader) in zip(stems, shaders) {
                binaries.append(("\(stem).spv", try SPIRVCompiler.compile(glsl: shader.source, stage: .compute, name: "\(stem).comp")))
            }
        }
        let spirvFiles = Dictionary(uniqueKeysWithValues: zip(shaders.map(\.name), binaries.map(\.name)))
        let sourceFiles = Dictionary(uniqueKeysWithValues: zip(shaders.map(\.name), files.map(\.name)))
        files.append((manifestName, manifest(sourceFiles, spirvFiles).prettyText() + "\n"))
        return (files, binaries)
    }
}
