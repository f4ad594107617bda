import ArgumentParser
import AttentionGen
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a spec on a backend with random inputs.",
        discussion: """
            Prints the median time over --runs runs (after --warmup untimed runs), the useful GFLOP/s
            (allowed pairs × 2·(headDim + valueDim) per second) and the executed GFLOP/s (every pair in a
            visited tile, masked or not). Build with -c release for meaningful figures.
            Example:
              attngen bench Kernels/specs/dense-causal-1d.json --backend cpu --runs 10
            """)

    @OptionGroup var spec: SpecArgument

    @Option(help: "Backend: cpu (the only timed backend so far).")
    var backend = "cpu"

    @Option(help: "Timed runs.")
    var runs = 7

    @Option(help: "Untimed runs before timing.")
    var warmup = 1

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs \(runs): needs at least one run") }
        guard warmup >= 0 else { throw ValidationError("--warmup \(warmup): cannot be negative") }
        guard backend == "cpu" else { throw ValidationError("--backend \(backend): only 'cpu' can be benchmarked so far") }
    }

    func run() throws {
        let spec = try spec.load()
        let p = spec.problem
        var rng = SeededGenerator(seed: 1)
        let inputs = try AttentionInputs(
            spec: spec, q: .random(shape: p.queryTensorShape, using: &rng), k: .random(shape: p.keyTensorShape, using: &rng),
            v: .random(shape: p.valueTensorShape, using: &rng))
        let interpreter = try CPUInterpreter(spec: spec)
        let summary = interpreter.plan.summary()
        let clock = ContinuousClock()
        var times: [Double] = []
        for run in 0..<(warmup + runs) {
            let elapsed = clock.measure { _ = CPUBackend.execute(interpreter, inputs) }
            if run >= warmup { times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) }
        }
        let median = times.sorted()[times.count / 2]
        let perPair = Double(2 * (p.headDim + p.valueDim) * p.batch * p.heads)
        let useful = Double(summary.allowedPairs) * perPair / median / 1e9
        let executed = Double(summary.visitedElementPairs) * perPair / median / 1e9
        if json {
            let fields: [String: JSONValue] = [
                "spec": .string(spec.summary), "backend": .string(backend), "isa": .string(CPUInterpreter.instructionSet),
                "medianSeconds": .number(median), "usefulGFlops": .number(useful), "executedGFlops": .number(executed),
                "runs": .number(Double(runs)),
            ]
            print(JSONValue.object(fields).prettyText())
        } else {
            print("\(spec.summary)")
            print(String(format: "backend %@ (%@): median %.3f ms over %d runs, useful %.1f GFLOP/s, executed %.1f GFLOP/s",
                         backend, CPUInterpreter.instructionSet, median * 1e3, runs, useful, executed))
        }
    }
}
