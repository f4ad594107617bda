import ArgumentParser
import AttentionGen
import Foundation

struct InputsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inputs",
        abstract: "Write random q.npy, k.npy and v.npy (and dout.npy) tensors shaped for a spec.",
        discussion: """
            Values are uniform in [-1, 1) times --amplitude, from a seeded generator, so runs are repeatable.
            Example:
              attngen inputs Kernels/specs/decode-gqa-splitkv.json --out-dir /tmp/decode --seed 7
            """)

    @OptionGroup var spec: SpecArgument

    @Option(help: "Folder to write q.npy, k.npy and v.npy into (created if missing).")
    var outDir: String

    @Option(help: "Seed of the random generator.")
    var seed: UInt64 = 1

    @Option(help: "Scale of the values; 100 gives large logits.")
    var amplitude: Float = 1

    @Flag(help: "Also write dout.npy, an upstream gradient shaped like the output, for `attngen grad`.")
    var gradient = false

    @Flag(help: "Replace existing files.")
    var force = false

    @OptionGroup var memory: MemoryBudgetArgument

    func validate() throws {
        if !amplitude.isFinite { throw ValidationError("--amplitude \(amplitude): must be a finite number") }
    }

    func run() throws {
        let spec = try spec.load()
        try memory.require(spec, path: self.spec.spec) { $0.inputs }
        let folder = URL(fileURLWithPath: outDir)
        try makeFolder(folder)
        let names = ["q", "k", "v"] + (spec.scores.bias != nil ? ["bias"] : []) + (gradient ? ["dout"] : [])
        try checkOutputs(names.map { ("--out-dir", folder.appendingPathComponent("\($0).npy").path) }, force: force)
        var generator = SeededGenerator(seed: seed)
        let p = spec.problem
        let shapes = [("q", p.queryTensorShape), ("k", p.keyTensorShape), ("v", p.valueTensorShape)]
            + (spec.scores.bias.map { [("bias", $0.shape(for: p))] } ?? []) + (gradient ? [("dout", p.outputTensorShape)] : [])
        for (name, shape) in shapes {
            let tensor = Tensor.random(shape: shape, amplitude: amplitude, using: &generator)
            let url = folder.appendingPathComponent("\(name).npy")
            // q, k and v in the storage type (bfloat16 as ml_dtypes saves it); the bias and the upstream gradient are float32.
            let type: ElementType = name == "dout" || name == "bias" ? .float32 : p.dtype
            try Npy.write(tensor, to: url, as: type, overwrite: force)
            print("wrote \(url.path) \(shape)")
        }
    }
}
