import ArgumentParser
import AttentionGen
import Foundation

struct GradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grad",
        abstract: "Run the backward pass on .npy tensors and write dQ, dK and dV.",
        discussion: """
            q, k and v are the forward's inputs (shapes as for `attngen run`), --dout the gradient of the loss with
            respect to the output, [batch, *queryShape, heads, valueDim]. The gradients are written as float32
            .npy files with the shapes of q, k and v (dK and dV summed over the query heads that share a kv head).
            Pass the forward's --out and --lse to reuse them (both or neither); otherwise the forward runs first.
            Existing output files are kept unless --force. The backend defaults to auto; a backend without
            backward kernels hands the call on to the next one (see the README's status).
            Example:
              attngen grad Kernels/specs/dense-causal-1d.json --q q.npy --k k.npy --v v.npy --dout do.npy \\
                --dq dq.npy --dk dk.npy --dv dv.npy --verify
            """)

    @OptionGroup var spec: SpecArgument

    @Option(help: "Query tensor (.npy).") var q: String
    @Option(help: "Key tensor (.npy).") var k: String
    @Option(help: "Value tensor (.npy).") var v: String
    @Option(help: "Score bias tensor (.npy, [batch|1, heads|1, queryTokens, keyTokens]), for a spec with scores.bias.") var bias: String?
    @Option(help: "Gradient of the output (.npy).") var dout: String
    @Option(help: "The forward's output (.npy), with --lse.") var out: String?
    @Option(help: "The forward's log-sum-exp (.npy), with --out.") var lse: String?
    @Option(help: "Where to write dQ (.npy).") var dq: String
    @Option(help: "Where to write dK (.npy).") var dk: String
    @Option(help: "Where to write dV (.npy).") var dv: String
    @OptionGroup var backend: BackendArguments
    @OptionGroup var memory: MemoryBudgetArgument
    @Flag(help: "Also check the gradients against the float64 reference with the tolerance rule.") var verify = false
    @Flag(help: "Replace existing output files.") var force = false

    func run() throws {
        let spec = try spec.load()
        try memory.require(spec, path: self.spec.spec) { $0.inputs + $0.backward + (verify ? $0.verify : []) }
        if (out == nil) != (lse == nil) {
            throw ValidationError(out == nil ? "--lse was given without --out: pass both, or neither to recompute the forward"
                : "--out was given without --lse: pass both, or neither to recompute the forward")
        }
        try checkOutputs([("--dq", dq), ("--dk", dk), ("--dv", dv)], force: force)
        let runtime = try backend.runtime().withMemoryBudget(memory.budget)
        let p = spec.problem
        let layout = (q: "[batch, *queryShape, heads, headDim]", kv: "[batch, *keyShape, kvHeads, headDim|valueDim]",
            out: "[batch, *queryShape, heads, valueDim]")
        func read(_ path: String, _ shape: [Int], _ role: String, _ layout: String) throws -> Tensor {
            try Npy.read(URL(fileURLWithPath: path), expectingShape: shape, role: role, layout: layout)
        }
        let inputs = try AttentionGradientInputs(
            spec: spec, q: read(q, p.queryTensorShape, "q", layout.q), k: read(k, p.keyTensorShape, "k", layout.kv),
            v: read(v, p.valueTensorShape, "v", layout.kv),
            bias: try bias.map { try read($0, spec.scores.bias?.shape(for: p) ?? [], "bias", "[batch | 1, heads | 1, queryTokens, keyTokens]") },
            dOutput: read(dout, p.outputTensorShape, "dout", layout.out),
            output: try out.map { try read($0, p.outputTensorShape, "out", layout.out) },
            lse: try lse.map { try read($0, p.lseTensorShape, "lse", "[batch, *queryShape, heads]") })
        let clock = ContinuousClock()
        var result: AttentionGradients?
        let elapsed = try clock.measure { result = try runtime.gradients(inputs) }
        guard let result else { return }
        for (path, tensor) in [(dq, result.dq), (dk, result.dk), (dv, result.dv)] {
            try Npy.write(tensor, to: URL(fileURLWithPath: path), as: .float32, overwrite: force)
        }
        print("backend \(result.backendName) on \(result.deviceName): \(spec.summary)")
        for failure in result.failedAttempts { print("moved on after: \(failure)") }
        print("dq \(p.queryTensorShape) → \(dq), dk \(p.keyTensorShape) → \(dk), dv \(p.valueTensorShape) → \(dv)")
        let nonFinite = [result.dq, result.dk, result.dv].reduce(0) { $0 + $1.elements.lazy.filter { !$0.isFinite }.count }
        let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
        print("time \(String(format: "%.1f", milliseconds)) ms (\(inputs.output == nil ? "forward and backward" : "backward")), "
            + (nonFinite == 0 ? "all finite" : "\(nonFinite) NON-FINITE gradient values"))
        if verify {
            let report = ToleranceRule().check(result, for: inputs)
            print("verify: \(report)")
            if !report.passed { throw ExitCode(2) }
        }
    }
}
