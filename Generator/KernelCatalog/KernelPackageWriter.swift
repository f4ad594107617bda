import AttentionPlan
import AttentionSpec
import Foundation
import GLSLEmitter
import KernelIR
import OpenCLEmitter
import SPIRVCompiler

/// Writes one spec's kernel package (`NAME.attnkernels.json`): the spec, the GLSL manifest and
/// the SPIR-V of every shader (base64), the OpenCL program and its manifest — what
/// `KernelPackage` in the runtime reads back. Built for `KernelProfile`, like the catalogue.
public enum KernelPackageWriter {
    public static let format = "attentiongen-kernel-package/1"

    public static func package(spec: AttentionSpec, name: String, file: String) throws(KernelCatalog.Failure) -> KernelArtifact {
        let kernels = try KernelProfile.kernels(for: spec, name: name, file: file)
        var spirv: [String: JSONValue] = [:]
        for (shader, words) in zip(kernels.glsl.shaders, kernels.spirv) {
            spirv[shader.name] = .string(words.withUnsafeBytes { Data($0) }.base64EncodedString())
        }
        let profile = "work-groups of at most \(KernelProfile.maxWorkgroupSize) invocations; Vulkan \(KernelProfile.sharedMemoryBytes) bytes of shared memory, "
            + "tile loops kept as loops; OpenCL \(KernelProfile.openCLLocalMemoryBytes) bytes of local memory"
        let root = JSONValue.object([
            "format": .string(format),
            "name": .string(name),
            "profile": .string(profile),
            "spec": spec.jsonValue,
            "vulkan": .object(["manifest": kernels.glsl.manifest, "spirv": .object(spirv)]),
            "opencl": .object(["manifest": kernels.opencl.manifest, "program": .string(kernels.opencl.programText)]),
        ])
        return KernelArtifact(path: "\(name).attnkernels.json", text: root.compactText() + "\n")
    }
}
