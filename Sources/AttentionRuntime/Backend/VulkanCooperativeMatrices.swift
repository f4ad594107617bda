import AttentionTensors
import KernelLowering
import VulkanRuntime

extension VulkanDeviceInfo {
    /// The device's cooperative matrices as the kernel strategy sees them: subgroup-scope shapes
    /// with float16 or bfloat16 operands, the form its driver takes, and why the kernels cannot
    /// use them here, when they cannot. Nil where the device has none usable in compute shaders.
    var cooperativeMatrixSupport: CooperativeMatrixSupport? {
        guard hasCooperativeMatrix, let api = cooperativeMatrixShapes.first?.api else { return nil }
        let shapes = cooperativeMatrixShapes.compactMap { shape -> CooperativeMatrixShape? in
            let operand: ElementType? = [.float16: .float16, .bfloat16: .bfloat16][shape.a]
            guard shape.scope == .subgroup, shape.a == shape.b, let operand else { return nil }
            return CooperativeMatrixShape(
                m: shape.m, n: shape.n, k: shape.k, operand: operand, float32Accumulator: shape.c == .float32 && shape.result == .float32)
        }
        return CooperativeMatrixSupport(
            form: api == .khr ? .khr : .nv, shapes: shapes, subgroupSize: subgroupSize, unusable: cooperativeMatrixProblem(api))
    }

    /// Why the generated shaders cannot use this device's cooperative matrices (nil when they can).
    private func cooperativeMatrixProblem(_ api: VulkanCooperativeMatrixShape.API) -> String? {
        if api == .khr {
            return "GL_KHR_cooperative_matrix needs glslang 13 or later; the in-process compiler is Debian 12's glslang 12 "
                + "(`attngen emit --cooperative-matrix khr` writes the shaders, scripts/khr-tools.sh installs a glslang that compiles them)"
        }
        if !supportsShaderFloat16 { return "the device does not enable shaderFloat16, which float16_t operands need" }
        if !supportsVulkanMemoryModel { return "the device lacks vulkanMemoryModel, which glslang's cooperative-matrix SPIR-V declares" }
        return nil
    }
}
