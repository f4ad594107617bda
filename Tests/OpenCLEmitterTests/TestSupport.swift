import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Foundation
import KernelIR
import OpenCLEmitter
import OpenCLRuntime
import Testing

/// One backend, hence one context and program cache, for every test: specs that agree on the
/// compile-time constants reuse the program PoCL built first (about 0.7 s per build).
enum SharedOpenCL {
    static let backend: Result<OpenCLBackend, AttentionError> = Result { () throws(AttentionError) in
        try OpenCLBackend(device: .index(0), programCache: .disabled)
    }

    static func get() throws -> OpenCLBackend { try backend.get() }
}

/// Runs `spec` on OpenCL and checks it against the float64 reference (tolerance rule) and the
/// CPU interpreter (same -inf rows, values within the same bound).
func checkOpenCL(_ spec: AttentionSpec, seed: UInt64, amplitude: Float = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let inputs = try randomInputs(spec, seed: seed, amplitude: amplitude)
    let result = try SharedOpenCL.get().run(inputs)
    let report = ToleranceRule().check(result, for: inputs)
    #expect(report.passed, "\(spec.summary): \(report)", sourceLocation: sourceLocation)
    let cpu = try CPUBackend().run(inputs)
    let outputGap = maxGap(result.output.elements, cpu.output.elements)
    let lseGap = maxGap(result.lse.elements, cpu.lse.elements)
    #expect(outputGap <= 2 * report.outputBound, "\(spec.summary): output differs from the CPU interpreter by \(outputGap)", sourceLocation: sourceLocation)
    #expect(lseGap <= 2 * report.lseBound, "\(spec.summary): lse differs from the CPU interpreter by \(lseGap)", sourceLocation: sourceLocation)
    #expect(!result.output.elements.contains { !$0.isFinite } && !result.lse.elements.contains(where: \.isNaN), sourceLocation: sourceLocation)
}

/// Largest |a - b|; infinite when one is -inf and the other is not (or NaN appears).
func maxGap(_ a: [Float], _ b: [Float]) -> Double {
    guard a.count == b.count else { return .infinity }
    var worst = 0.0
    for (x, y) in zip(a, b) {
        if x == y { continue }
        let gap = abs(Double(x) - Double(y))
        worst = max(worst, gap.isNaN ? .infinity : gap)
    }
    return worst
}

/// The emitted source of a spec.
func emitted(_ spec: AttentionSpec) throws -> OpenCLKernelSource {
    try OpenCLKernelSource(program: KernelProgram(spec: spec), plan: TilePlan(spec))
}

/// The catalogue of example specs.
let catalogueFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/specs").standardized
