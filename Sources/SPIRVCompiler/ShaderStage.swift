import CGlslang

/// The pipeline stage a GLSL source is compiled for (AttentionGen only emits compute shaders).
public enum ShaderStage: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case compute

    var glslang: glslang_stage_t {
        switch self {
        case .compute: GLSLANG_STAGE_COMPUTE
        }
    }

    public var description: String { rawValue }
}

/// The Vulkan environment the SPIR-V is produced for (client version + SPIR-V version).
public enum SPIRVTarget: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Vulkan 1.1, SPIR-V 1.3: the default, runs on every Vulkan 1.1 driver (lavapipe included).
    case vulkan1_1
    /// Vulkan 1.2, SPIR-V 1.5.
    case vulkan1_2
    /// Vulkan 1.3, SPIR-V 1.6.
    case vulkan1_3

    var client: glslang_target_client_version_t {
        switch self {
        case .vulkan1_1: GLSLANG_TARGET_VULKAN_1_1
        case .vulkan1_2: GLSLANG_TARGET_VULKAN_1_2
        case .vulkan1_3: GLSLANG_TARGET_VULKAN_1_3
        }
    }

    var spirv: glslang_target_language_version_t {
        switch self {
        case .vulkan1_1: GLSLANG_TARGET_SPV_1_3
        case .vulkan1_2: GLSLANG_TARGET_SPV_1_5
        case .vulkan1_3: GLSLANG_TARGET_SPV_1_6
        }
    }

    /// The `--target-env` spelling of spirv-val / glslangValidator ("vulkan1.1").
    public var targetEnvironment: String {
        switch self {
        case .vulkan1_1: "vulkan1.1"
        case .vulkan1_2: "vulkan1.2"
        case .vulkan1_3: "vulkan1.3"
        }
    }

    public var description: String { targetEnvironment }
}
