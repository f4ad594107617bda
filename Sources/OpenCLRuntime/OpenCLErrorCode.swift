import COpenCL

/// An OpenCL status code with its C name ("CL_OUT_OF_RESOURCES"), so errors can name it.
/// Swift imports the `CL_*` macros as `Int32`; this wraps them once instead of casting everywhere.
public struct OpenCLErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The C name, e.g. "CL_INVALID_WORK_GROUP_SIZE"; unknown codes keep their number.
    public var name: String { Self.names[rawValue] ?? "CL_UNKNOWN_ERROR(\(rawValue))" }

    public var description: String { "\(name) (\(rawValue))" }

    public static let success = Self(rawValue: 0)
    public static let deviceNotFound = Self(rawValue: -1)
    public static let memObjectAllocationFailure = Self(rawValue: -4)
    public static let outOfResources = Self(rawValue: -5)
    public static let outOfHostMemory = Self(rawValue: -6)
    public static let buildProgramFailure = Self(rawValue: -11)
    public static let invalidValue = Self(rawValue: -30)
    public static let invalidBinary = Self(rawValue: -42)
    public static let invalidKernelName = Self(rawValue: -46)
    public static let invalidArgIndex = Self(rawValue: -49)
    public static let invalidKernelArgs = Self(rawValue: -52)
    public static let invalidWorkDimension = Self(rawValue: -53)
    public static let invalidWorkGroupSize = Self(rawValue: -54)
    public static let invalidWorkItemSize = Self(rawValue: -55)
    public static let invalidBufferSize = Self(rawValue: -61)
    public static let invalidGlobalWorkSize = Self(rawValue: -63)
    public static let platformNotFoundKHR = Self(rawValue: -1001)

    // Literal numbers rather than the C macros: with CL_TARGET_OPENCL_VERSION 120 the 2.x
    // codes are not declared, but a newer driver may still return them.
    private static let names: [Int32: String] = [
        0: "CL_SUCCESS", -1: "CL_DEVICE_NOT_FOUND", -2: "CL_DEVICE_NOT_AVAILABLE",
        -3: "CL_COMPILER_NOT_AVAILABLE", -4: "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5: "CL_OUT_OF_RESOURCES", -6: "CL_OUT_OF_HOST_MEMORY", -7: "CL_PROFILING_INFO_NOT_AVAILABLE",
        -8: "CL_MEM_COPY_OVERLAP", -9: "CL_IMAGE_FORMAT_MISMATCH", -10: "CL_IMAGE_FORMAT_NOT_SUPPORTED",
        -11: "CL_BUILD_PROGRAM_FAILURE", -12: "CL_MAP_FAILURE", -13: "CL_MISALIGNED_SUB_BUFFER_OFFSET",
        -14: "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST", -15: "CL_COMPILE_PROGRAM_FAILURE",
        -16: "CL_LINKER_NOT_AVAILABLE", -17: "CL_LINK_PROGRAM_FAILURE", -18: "CL_DEVICE_PARTITION_FAILED",
        -19: "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        -30: "CL_INVALID_VALUE", -31: "CL_INVALID_DEVICE_TYPE", -32: "CL_INVALID_PLATFORM",
        -33: "CL_INVALID_DEVICE", -34: "CL_INVALID_CONTEXT", -35: "CL_INVALID_QUEUE_PROPERTIES",
        -36: "CL_INVALID_COMMAND_QUEUE", -37: "CL_INVALID_HOST_PTR", -38: "CL_INVALID_MEM_OBJECT",
        -39: "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR", -40: "CL_INVALID_IMAGE_SIZE", -41: "CL_INVALID_SAMPLER",
        -42: "CL_INVALID_BINARY", -43: "CL_INVALID_BUILD_OPTIONS", -44: "CL_INVALID_PROGRAM",
        -45: "CL_INVALID_PROGRAM_EXECUTABLE", -46: "CL_INVALID_KERNEL_NAME", -47: "CL_INVALID_KERNEL_DEFINITION",
        -48: "CL_INVALID_KERNEL", -49: "CL_INVALID_ARG_INDEX", -50: "CL_INVALID_ARG_VALUE",
        -51: "CL_INVALID_ARG_SIZE", -52: "CL_INVALID_KERNEL_ARGS", -53: "CL_INVALID_WORK_DIMENSION",
        -54: "CL_INVALID_WORK_GROUP_SIZE", -55: "CL_INVALID_WORK_ITEM_SIZE", -56: "CL_INVALID_GLOBAL_OFFSET",
        -57: "CL_INVALID_EVENT_WAIT_LIST", -58: "CL_INVALID_EVENT", -59: "CL_INVALID_OPERATION",
        -60: "CL_INVALID_GL_OBJECT", -61: "CL_INVALID_BUFFER_SIZE", -62: "CL_INVALID_MIP_LEVEL",
        -63: "CL_INVALID_GLOBAL_WORK_SIZE", -64: "CL_INVALID_PROPERTY", -65: "CL_INVALID_IMAGE_DESCRIPTOR",
        -66: "CL_INVALID_COMPILER_OPTIONS", -67: "CL_INVALID_LINKER_OPTIONS",
        -68: "CL_INVALID_DEVICE_PARTITION_COUNT", -69: "CL_INVALID_PIPE_SIZE", -70: "CL_INVALID_DEVICE_QUEUE",
        -71: "CL_INVALID_SPEC_ID", -72: "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        -1000: "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR", -1001: "CL_PLATFORM_NOT_FOUND_KHR",
    ]
}
