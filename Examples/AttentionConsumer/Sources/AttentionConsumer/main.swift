import AttentionGen
import Foundation

// Runs the bundled spec on `auto` (a GPU when one is usable, else the CPU interpreter), prints
// the backend and the output's checksum, and checks the result against the float64 reference.
// Exit status 1 when the result is outside the tolerance rule.

let kernels = try PrebuiltKernels(bundle: .module)
print("bundled kernel packages: \(kernels.names.joined(separator: ", "))")
let spec = try kernels.spec(named: "causal-gqa")

var generator = SeededGenerator(seed: 42)
let p = spec.problem
let q = Tensor.random(shape: p.queryTensorShape, using: &generator)
let k = Tensor.random(shape: p.keyTensorShape, using: &generator)
let v = Tensor.random(shape: p.valueTensorShape, using: &generator)

/// Runs `spec` on `runtime`, prints what ran and the checksum, returns whether it passed.
func runAndCheck(_ runtime: AttentionRuntime, label: String) async throws -> Bool {
    let result = try await runtime.attention(spec, q: q, k: k, v: v)
    let checksum = result.output.elements.reduce(0.0) { $0 + Double($1) }
    let report = ToleranceRule().check(result, for: try AttentionInputs(spec: spec, q: q, k: k, v: v))
    print("\(label): backend \(result.backendName) on \(runtime.selection.chosen.device)")
    print("\(label): output \(result.output.shape), checksum \(String(format: "%.6f", checksum))")
    print("\(label): \(report)")
    return report.passed
}

let automatic = try AttentionRuntime(kernels: kernels)
print(automatic.selection)
var passed = try await runAndCheck(automatic, label: "auto")

// Where a Vulkan device exists (lavapipe included), run the bundled SPIR-V on it as well: no
// shader is generated or compiled at run time.
if let vulkan = try? VulkanBackend(prebuilt: kernels) {
    let inputs = try AttentionInputs(spec: spec, q: q, k: k, v: v)
    let prepared = try vulkan.prepare(inputs)
    switch prepared.origin {
    case .package(let name): print("vulkan: shaders from the bundled package '\(name)' (nothing generated or compiled)")
    case .generated: print("vulkan: shaders generated for this device (the package does not fit it)")
    }
    passed = try await runAndCheck(AttentionRuntime(backend: vulkan), label: "vulkan") && passed
}
if !passed { exit(1) }
