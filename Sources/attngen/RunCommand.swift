import ArgumentParser
import AttentionGen
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run attention on .npy tensors and write the output.",
        discussion: """
            q is [batch, *queryShape, heads, headDim], k is [batch, *keyShape, kvHeads, headDim], v is
            [batch, *keyShape, kvHeads, valueDim] (with a paged cache, "pages" in the spec: [pageCount, pageSize,
            kvHeads, headDim|valueDim] pools read through its page table); the output is [batch, *queryShape, heads, valueDim] and the
            log-sum-exp [batch, *queryShape, heads], float32 (the output in the spec's outputDtype, or another type with --out-dtype). Tensors may be
            float32, float16 or bfloat16 .npy files (bfloat16 as ml_dtypes saves it: a 2-byte void type, '<V2' or '|V2').
            Existing output files are kept unless --force.
            The backend defaults to auto (a GPU through Vulkan or OpenCL, else the CPU interpreter; see
            `attngen devices --explain`); ATTNGEN_BACKEND or --backend forces one.
            Example:
              attngen run Kernels/specs/dense-causal-1d.json --q q.npy --k k.npy --v v.npy --out o.npy --verify
            """)

    @OptionGroup var spec: SpecArgument

    @Option(help: "Query tensor (.npy).") var q: String
    @Option(help: "Key tensor (.npy).") var k: String
    @Option(help: "Value tensor (.npy).") var v: String
    @Option(help: "Score bias tensor (.npy, [batch|1, heads|1, queryTokens, keyTokens]), for a spec with scores.bias.") var bias: String?
    @Option(help: "Where to write the output tensor (.npy).") var out: String
    @Option(help: "Where to write the log-sum-exp tensor (.npy).") var lse: String?
    @OptionGroup var backend: BackendArguments
    @OptionGroup var memory: MemoryBudgetArgument
    @Option(help: "Element type of the output file: float32, float16 or bfloat16 (written as ml_dtypes does, '<V2'); default: the spec's problem.outputDtype. The lse stays float32.")
    var outDtype: ElementType?
    @Flag(help: "Also check the result against the float64 reference with the tolerance rule.") var verify = false
    @Flag(help: "Replace existing output files.") var force = false

    func run() throws {
        let spec = try spec.load()
        // The tensors read, what the run allocates and, with --verify, the reference.
        try memory.require(spec, path: self.spec.spec) { $0.inputs + $0.run + (verify ? $0.verify : []) }
        let runtime = try backend.runtime().withMemoryBudget(memory.budget)
        let p = spec.problem
        try checkOutputs([("--out", out)] + (lse.map { [("--lse", $0)] } ?? []), force: force)
        let layout = (q: "[batch, *queryShape, heads, headDim]", kv: "[\(p.pages == nil ? "batch, *keyShape" : "pageCount, pageSize"), kvHeads, headDim|valueDim]")
        let qTensor = try Npy.read(URL(fileURLWithPath: q), expectingShape: p.queryTensorShape, role: "q", layout: layout.q)
        let kTensor = try Npy.read(URL(fileURLWithPath: k), expectingShape: p.keyTensorShape, role: "k", layout: layout.kv)
        let vTensor = try Npy.read(URL(fileURLWithPath: v), expectingShape: p.valueTensorShape, role: "v", layout: layout.kv)
        let biasTensor = try bias.map { path in
            try Npy.read(URL(fileURLWithPath: path), expectingShape: spec.scores.bias?.shape(for: p) ?? [], role: "bias",
                         layout: "[batch | 1, heads | 1, queryTokens, keyTokens] (scores.bias)")
        }
        let inputs = try AttentionInputs(spec: spec, q: qTensor, k: kTensor, v: vTensor, bias: biasTensor)
        let clock = ContinuousClock()
        var result: AttentionResult?
        let elapsed = try clock.measure { result = try runtime.run(inputs) }
        guard let result else { return }
        try Npy.write(result.output, to: URL(fileURLWithPath: out), as: outDtype ?? p.outputDtype, overwrite: force)
        if let lse { try Npy.write(result.lse, to: URL(fileURLWithPath: lse), as: .float32, overwrite: force) }
        let nonFinite = result.output.elements.lazy.filter { !$0.isFinite }.count
        let nanRows = result.lse.elements.lazy.filter(\.isNaN).count
        // The checksum sums the finite values, so NaN rows (NaN in, NaN out) do not hide the rest.
        let checksum = result.output.elements.lazy.filter(\.isFinite).reduce(0.0) { $0 + Double($1) }
        let finiteText = nonFinite == 0 ? "all finite" : "\(nonFinite) NON-FINITE output values in \(nanRows) NaN rows"
        let maskedRows = result.lse.elements.filter { $0 == -.infinity }.count
        print("backend \(result.backendName) on \(result.deviceName): \(spec.summary)")
        for failure in result.failedAttempts { print("moved on after: \(failure)") }
        switch result.kernelOrigin {
        case .package(let name)?: print("kernels: from package \(name) (nothing generated)")
        case .generated?: print("kernels: generated for this device")
        case nil: break
        }
        print("output \(p.outputTensorShape) → \(out)\(lse.map { ", lse → \($0)" } ?? "")")
        let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
        print("time \(String(format: "%.1f", milliseconds)) ms, checksum \(checksum), \(finiteText), \(maskedRows) fully masked rows")
        if verify {
            let report = ToleranceRule().check(result, for: inputs)
            print("verify: \(report)")
            if !report.passed { throw ExitCode(2) }
        }
    }
}

/// `--out-dtype float32|float16|bfloat16`; a bad value names the choices.
extension ElementType: ExpressibleByArgument {}
extension CooperativeMatrixStrategy.Form: ExpressibleByArgument {}
