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
            With --backend opencl the time of a run is the device time of its kernels (OpenCL profiling
            events, summed over the dispatch sequence); the warm-up runs also absorb the driver's lazy
            per-kernel compilation (PoCL compiles for each local size at the first enqueue).
            Examples:
              attngen bench Kernels/specs/dense-causal-1d.json --backend cpu --runs 10
              attngen bench Kernels/specs/decode-gqa-lean.json --backend opencl --device 0
            """)

    @OptionGroup var spec: SpecArgument
    @OptionGroup var memory: MemoryBudgetArgument

    @Option(help: "Backend: cpu, opencl or vulkan.")
    var backend = "cpu"

    @Option(help: "OpenCL or Vulkan device: an index from `attngen devices`, a type (cpu/gpu/…), or part of a name (default: the first OpenCL device, the preferred Vulkan one).")
    var device: String?

    @Option(help: "Timed runs.")
    var runs = 7

    @Option(help: "Untimed runs before timing.")
    var warmup = 1

    @Option(help: "Kernel strategy for opencl or vulkan, in the compact form `attngen emit` prints (e.g. 16x16,4x4,h64,v64[,unrolled]); default: the one chosen for the device.")
    var strategy: String?

    @Flag(help: "Time whole library calls instead of the kernels alone: on opencl or vulkan prepare, upload, dispatch and read back; on cpu taking the inputs (rounding them to a 16-bit storage type), planning, running and rounding the output.")
    var endToEnd = false

    @Flag(help: "Time the forward and the backward pass together (cpu only); FLOPs count both: 2·(4·headDim + 3·valueDim) per pair.")
    var backward = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs \(runs): needs at least one run") }
        guard warmup >= 0 else { throw ValidationError("--warmup \(warmup): cannot be negative") }
        guard ["cpu", "opencl", "vulkan"].contains(backend) else {
            throw ValidationError("--backend \(backend): only 'cpu', 'opencl' and 'vulkan' can be benchmarked")
        }
        guard device == nil || backend != "cpu" else { throw ValidationError("--device applies to --backend opencl or vulkan only") }
        guard !backward || backend == "cpu" else { throw ValidationError("--backward: only the cpu backend has backward kernels") }
        guard !backward || !endToEnd else { throw ValidationError("--backward times whole forward and backward calls already; drop --end-to-end") }
        guard strategy == nil || backend != "cpu" else { throw ValidationError("--strategy applies to --backend opencl or vulkan only") }
        if let strategy, KernelStrategy(compact: strategy) == nil {
            throw ValidationError("--strategy \(strategy): expected \(KernelStrategy.compactFormat), e.g. 16x16,4x4,h64,v64")
        }
    }

    func run() throws {
        let spec = try spec.load()
        try memory.require(spec, path: self.spec.spec) { [backward] in $0.inputs + (backward ? $0.backward : $0.run) }
        let p = spec.problem
        var rng = SeededGenerator(seed: 1)
        let inputs = try AttentionInputs.random(spec, using: &rng)
        let summary = try TilePlan(spec).summary()
        var times: [Double]
        var backwardTimes: [Double] = []
        let engine: String
        var kernels = ""
        if backend == "opencl" {
            var openCL = try OpenCLBackend(device: device.map(DeviceQuery.init(parsing:)) ?? .index(0))
            openCL.strategy = strategy.flatMap(KernelStrategy.init(compact:))
            let prepared = try openCL.prepare(inputs)
            kernels = prepared.layout.strategy
            if endToEnd {
                times = try Self.wallClock(runs: runs, warmup: warmup) { () throws(AttentionError) in _ = try openCL.run(inputs) }
            } else {
                for _ in 0..<warmup { try prepared.dispatch() }
                times = try (0..<runs).map { _ in try prepared.dispatch() }
            }
            engine = openCL.context.device.name
        } else if backend == "vulkan" {
            var vulkan = try VulkanBackend(device: device.map(VulkanDeviceQuery.init(parsing:)) ?? .preferred)
            vulkan.strategy = strategy.flatMap(KernelStrategy.init(compact:))
            let prepared = try vulkan.prepare(inputs)
            kernels = prepared.layout.strategy
            if endToEnd {
                times = try Self.wallClock(runs: runs, warmup: warmup) { () throws(AttentionError) in _ = try vulkan.run(inputs) }
            } else {
                for _ in 0..<warmup { try prepared.dispatch() }
                times = try (0..<runs).map { _ in try prepared.dispatch() }
            }
            engine = vulkan.context.device.name
        } else if endToEnd {
            let cpu = CPUBackend()
            times = try Self.wallClock(runs: runs, warmup: warmup) { () throws(AttentionError) in
                let call = try AttentionInputs(spec: spec, q: inputs.q, k: inputs.k, v: inputs.v, bias: inputs.bias)
                _ = try cpu.run(call)
            }
            engine = CPUInterpreter.instructionSet
        } else {
            let interpreter = try CPUInterpreter(spec: spec)
            let dOutput = Tensor.random(shape: p.outputTensorShape, using: &rng)
            times = []
            for run in 0..<(warmup + runs) {
                var forward: AttentionResult?
                let forwardTime = Self.seconds { forward = CPUBackend.execute(interpreter, inputs) }
                var backwardTime = 0.0
                if backward, let forward {
                    let gradientInputs = try AttentionGradientInputs(
                        spec: spec, q: inputs.q, k: inputs.k, v: inputs.v, dOutput: dOutput, output: forward.output, lse: forward.lse)
                    backwardTime = Self.seconds { _ = CPUBackend.gradients(interpreter, gradientInputs) }
                }
                guard run >= warmup else { continue }
                times.append(forwardTime + backwardTime)
                backwardTimes.append(backwardTime)
            }
            engine = CPUInterpreter.instructionSet
        }
        let median = times.sorted()[times.count / 2]
        let perPair = Double(2 * (backward ? 4 * p.headDim + 3 * p.valueDim : p.headDim + p.valueDim) * p.batch * p.heads)
        let useful = Double(summary.allowedPairs) * perPair / median / 1e9
        let executed = Double(summary.visitedElementPairs) * perPair / median / 1e9
        if json {
            let fields: [String: JSONValue] = [
                "spec": .string(spec.summary), "backend": .string(backend), (backend == "cpu" ? "isa" : "device"): .string(engine),
                "medianSeconds": .number(median), "usefulGFlops": .number(useful), "executedGFlops": .number(executed),
                "runs": .number(Double(runs)), "strategy": .string(kernels),
            ].merging(backward ? ["backwardMedianSeconds": .number(backwardTimes.sorted()[runs / 2])] : [:]) { $1 }
            print(JSONValue.object(fields).prettyText())
        } else {
            print("\(spec.summary)")
            let pass = backward ? String(format: " forward+backward (backward alone %.3f ms)", backwardTimes.sorted()[runs / 2] * 1e3) : ""
            print(String(format: "backend %@ (%@)%@: median %.3f ms over %d runs, useful %.1f GFLOP/s, executed %.1f GFLOP/s",
                         backend, engine, pass, median * 1e3, runs, useful, executed) + (kernels.isEmpty ? "" : ", strategy \(kernels)"))
        }
    }

    /// Wall-clock seconds of one call of `body`.
    static func seconds(_ body: () -> Void) -> Double {
        let elapsed = ContinuousClock().measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Wall-clock seconds of `runs` calls of `body` after `warmup` untimed ones.
    static func wallClock(runs: Int, warmup: Int, _ body: () throws(AttentionError) -> Void) throws(AttentionError) -> [Double] {
        let clock = ContinuousClock()
        var measured: [Double] = []
        for run in 0..<(warmup + runs) {
            let start = clock.now
            try body()
            let elapsed = clock.now - start
            if run >= warmup { measured.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) }
        }
        return measured
    }
}
