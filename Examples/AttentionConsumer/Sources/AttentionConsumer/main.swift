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

/// Runs `spec` on `runtime`, prints what ran (and where its kernels came from) and the checksum,
/// returns whether it passed.
func runAndCheck(_ runtime: AttentionRuntime, label: String) async throws -> Bool {
    let result = try await runtime.attention(spec, q: q, k: k, v: v)
    let checksum = result.output.elements.reduce(0.0) { $0 + Double($1) }
    let report = ToleranceRule().check(result, for: try AttentionInputs(spec: spec, q: q, k: k, v: v))
    print("\(label): backend \(result.backendName) on \(result.deviceName)")
    switch result.kernelOrigin {
    case .package(let name)?: print("\(label): kernels from the bundled package '\(name)' (nothing generated)")
    case .generated?: print("\(label): kernels generated for this device (the package does not fit it)")
    case nil: break
    }
    print("\(label): output \(result.output.shape), checksum \(String(format: "%.6f", checksum))")
    print("\(label): \(report)")
    return report.passed
}

let automatic = try AttentionRuntime(kernels: kernels)
print(automatic.selection)
var passed = try await runAndCheck(automatic, label: "auto")

// Where a Vulkan or OpenCL device exists (lavapipe and PoCL included), run the bundled kernels on
// it as well: nothing is generated at run time (and no shader is compiled for Vulkan).
var devices: [(label: String, backend: any AttentionBackend)] = []
if let vulkan = try? VulkanBackend(prebuilt: kernels) { devices.append(("vulkan", vulkan)) }
if let opencl = try? OpenCLBackend(device: .preferred, prebuilt: kernels) { devices.append(("opencl", opencl)) }
for device in devices {
    passed = try await runAndCheck(AttentionRuntime(backend: device.backend), label: device.label) && passed
}
if !passed { exit(1) }
