import Foundation
import SPIRVCompiler
import Testing
@testable import VulkanRuntime

/// One lavapipe context for the whole test process (no disk cache: the cache tests use their own).
let sharedContext: Result<VulkanContext, VulkanError> = Result { () throws(VulkanError) in
    guard let lavapipe = VulkanDevices.lavapipe() else {
        throw .noDevice(reason: "lavapipe (mesa-vulkan-drivers) is not installed")
    }
    return try VulkanContext(device: lavapipe, pipelineCache: .disabled)
}

func context() throws -> VulkanContext { try sharedContext.get() }

func spirv(_ glsl: String, name: String = #function) throws -> [UInt32] {
    try SPIRVCompiler.compile(glsl: glsl, stage: .compute, name: name)
}

enum Shaders {
    static let vectorAdd = """
    #version 450
    layout(local_size_x = 64) in;
    layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
    layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
    layout(std430, set = 0, binding = 2) writeonly buffer C { float c[]; };
    layout(push_constant) uniform Push { uint n; float scale; } pc;
    void main() {
        uint i = gl_GlobalInvocationID.x;
        if (i < pc.n) { c[i] = pc.scale * (a[i] + b[i]); }
    }
    """

    /// Per-workgroup sum of 64 values: shared memory, barriers, tree reduction.
    static let groupSum = """
    #version 450
    layout(local_size_x = 64) in;
    layout(std430, binding = 0) readonly buffer In { float values[]; };
    layout(std430, binding = 1) writeonly buffer Out { float sums[]; };
    shared float partial[64];
    void main() {
        uint local = gl_LocalInvocationID.x;
        partial[local] = values[gl_GlobalInvocationID.x];
        barrier();
        for (uint width = 32u; width > 0u; width >>= 1u) {
            if (local < width) { partial[local] += partial[local + width]; }
            barrier();
        }
        if (local == 0u) { sums[gl_WorkGroupID.x] = partial[0]; }
    }
    """

    /// Local size and a multiplier from specialization constants; shared array sized by one.
    static let specialized = """
    #version 450
    layout(local_size_x_id = 0) in;
    layout(constant_id = 1) const int multiplier = 1;
    layout(constant_id = 2) const uint sharedCount = 16u;
    layout(std430, binding = 0) buffer Data { int data[]; };
    shared int scratch[sharedCount];
    void main() {
        uint i = gl_GlobalInvocationID.x;
        scratch[gl_LocalInvocationID.x % sharedCount] = int(i);
        barrier();
        data[i] = int(i) * multiplier + int(gl_WorkGroupSize.x);
    }
    """

    /// A single invocation counting `pc.n` loop iterations (lavapipe's loop cap).
    static let loopCounter = """
    #version 450
    layout(local_size_x = 1) in;
    layout(std430, binding = 0) buffer Out { uint count; uint checksum; };
    layout(push_constant) uniform Push { uint n; } pc;
    void main() {
        uint c = 0u;
        uint h = 2166136261u;
        for (uint i = 0u; i < pc.n; ++i) {
            c += 1u;
            h = (h ^ i) * 16777619u;
        }
        count = c;
        checksum = h;
    }
    """

    static let doubleIt = """
    #version 450
    layout(local_size_x = 64) in;
    layout(std430, binding = 0) readonly buffer In { float x[]; };
    layout(std430, binding = 1) writeonly buffer Out { float y[]; };
    layout(push_constant) uniform Push { uint n; } pc;
    void main() { uint i = gl_GlobalInvocationID.x; if (i < pc.n) { y[i] = 2.0 * x[i]; } }
    """

    static let addOne = """
    #version 450
    layout(local_size_x = 64) in;
    layout(std430, binding = 0) readonly buffer In { float y[]; };
    layout(std430, binding = 1) writeonly buffer Out { float z[]; };
    layout(push_constant) uniform Push { uint n; } pc;
    void main() { uint i = gl_GlobalInvocationID.x; if (i < pc.n) { z[i] = y[i] + 1.0; } }
    """
}
