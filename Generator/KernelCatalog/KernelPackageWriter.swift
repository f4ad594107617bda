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
        let glsl: GLSLKernelSource
        let opencl: OpenCLKernelSource
        do {
            let plan = try TilePlan(spec)
            let program = KernelProgram(spec: spec)
            glsl = try GLSLKernelSource(program: program, plan: plan, options: KernelProfile.glsl)
            opencl = try KernelProfile.openCL(spec)
        } catch {
            throw .spec(file: file, error)
        }
        var spirv: [String: JSONValue] = [:]
        for shader in glsl.shaders {
            do {
                let words = try SPIRVCompiler.compile(glsl: shader.source, stage: .compute, name: "\(name).\(shader.name).comp")
                spirv[shader.name] = .string(words.withUnsafeBytes { Data($0) }.base64EncodedString())
            } catch {
                throw .compile(file: file, error)
            }
        }
        let profile = "work-groups of \(KernelProfile.workgroupSize); Vulkan \(KernelProfile.sharedMemoryBytes) bytes of shared memory, "
            + "tile loops kept as loops; OpenCL \(KernelProfile.openCLLocalMemoryBytes) bytes of local memory"
        let root = JSONValue.object([
            "format": .string(format),
            "name": .string(name),
            "profile": .string(profile),
            "spec": spec.jsonValue,
            "vulkan": .object(["manifest": glsl.manifest, "spirv": .object(spirv)]),
            "opencl": .object(["manifest": opencl.manifest, "program": .string(opencl.programText)]),
        ])
        return KernelArtifact(path: "\(name).attnkernels.json", text: root.compactText() + "\n")
    }
}
