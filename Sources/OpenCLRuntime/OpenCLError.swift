import RuntimeSupport
/// Every failure of the OpenCL layer. Each case names the OpenCL error (`code.name`) and the
/// context (which call, device, kernel or buffer), so a message is actionable on its own.
public enum OpenCLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The ICD loader is there but no driver registered (or none loaded): nothing to run on.
    case noPlatform(vendorsDirectory: String, icdFiles: [String], code: OpenCLErrorCode)
    /// Platforms exist but none has a device.
    case noDevice(platforms: [String])
    /// `OpenCLDevices.select` matched nothing; `available` lists what exists.
    case deviceNotFound(query: String, available: [String])
    /// The driver's compiler rejected the source; `log` is its full build log.
    case buildFailed(device: String, log: String, options: String)
    /// No kernel of that name in the program; `available` is CL_PROGRAM_KERNEL_NAMES.
    case kernelNotFound(name: String, available: [String])
    /// CL_OUT_OF_RESOURCES from the driver (often too much private/local memory or registers).
    case outOfResources(call: String, context: String)
    /// The local size's product exceeds the smaller of the device's and the kernel's limit.
    case invalidWorkGroupSize(kernel: String, requested: [Int], maximum: Int, deviceMaximum: Int, kernelMaximum: Int)
    /// A malformed ND-range (dimensions, zero sizes, per-dimension limit, divisibility).
    case invalidNDRange(kernel: String, global: [Int], local: [Int]?, code: OpenCLErrorCode, reason: String)
    /// The kernel needs more local memory than CL_DEVICE_LOCAL_MEM_SIZE. `suggestion` is for
    /// the caller (who knows the tiling) to fill, see `withSuggestion(_:)`.
    case localMemoryTooSmall(needed: Int, available: Int, device: String, kernel: String, suggestion: String?)
    /// Requested size exceeds CL_DEVICE_MAX_MEM_ALLOC_SIZE (checked before asking the driver).
    case bufferTooLarge(bytes: Int, maximum: Int, device: String)
    /// The driver refused an allocation within the limits.
    case allocationFailed(bytes: Int, device: String, code: OpenCLErrorCode)
    /// Any other failed call: its name, code and what it was doing.
    case call(name: String, code: OpenCLErrorCode, context: String)

    /// The OpenCL error this case stands for.
    public var code: OpenCLErrorCode {
        switch self {
        case .noPlatform(_, _, let code): code
        case .noDevice: .deviceNotFound
        case .deviceNotFound: .deviceNotFound
        case .buildFailed: .buildProgramFailure
        case .kernelNotFound: .invalidKernelName
        case .outOfResources: .outOfResources
        case .invalidWorkGroupSize: .invalidWorkGroupSize
        case .invalidNDRange(_, _, _, let code, _): code
        case .localMemoryTooSmall: .outOfResources
        case .bufferTooLarge: .invalidBufferSize
        case .allocationFailed(_, _, let code): code
        case .call(_, let code, _): code
        }
    }

    /// The C name, e.g. "CL_BUILD_PROGRAM_FAILURE".
    public var errorName: String { code.name }

    /// Adds a caller-specific hint (e.g. "use a 32×32 key tile") to `localMemoryTooSmall`;
    /// other cases are returned unchanged.
    public func withSuggestion(_ suggestion: String) -> OpenCLError {
        guard case let .localMemoryTooSmall(needed, available, device, kernel, _) = self else { return self }
        return .localMemoryTooSmall(needed: needed, available: available, device: device, kernel: kernel,
                                    suggestion: suggestion)
    }

    public var description: String {
        switch self {
        case let .noPlatform(dir, files, code):
            let state = files.isEmpty
                ? "no OpenCL driver is registered in \(dir) (no .icd file there)"
                : "none of the drivers registered in \(dir) (\(files.joined(separator: ", "))) could be loaded"
            return "No OpenCL platform (\(code.name) from clGetPlatformIDs): the ICD loader is installed but "
                + "\(state). Install a driver such as pocl-opencl-icd, or point OCL_ICD_VENDORS at a folder of .icd files."
        case let .noDevice(platforms):
            return "No OpenCL device (CL_DEVICE_NOT_FOUND): platform(s) \(platforms.joined(separator: ", ")) report none."
        case let .deviceNotFound(query, available):
            let list = available.isEmpty ? "none" : available.joined(separator: "; ")
            return "No OpenCL device matches \(query) (CL_DEVICE_NOT_FOUND). Available: \(list)."
        case let .buildFailed(device, log, options):
            let opts = options.isEmpty ? "" : " with options '\(options)'"
            return "OpenCL program failed to build on \(device)\(opts) (CL_BUILD_PROGRAM_FAILURE). Build log:\n\(log)"
        case let .kernelNotFound(name, available):
            return "No kernel '\(name)' in the program (CL_INVALID_KERNEL_NAME). Kernels: "
                + (available.isEmpty ? "none" : available.joined(separator: ", ")) + "."
        case let .outOfResources(call, context):
            return "\(call) failed with CL_OUT_OF_RESOURCES (\(context)): the device ran out of resources "
                + "(registers, private or local memory); try a smaller tile or work-group."
        case let .invalidWorkGroupSize(kernel, requested, maximum, deviceMaximum, kernelMaximum):
            let product = requested.reduce(1, *)
            return "Local size \(Self.dims(requested)) = \(product) work-items for kernel '\(kernel)' exceeds the maximum "
                + "\(maximum) (CL_INVALID_WORK_GROUP_SIZE): device CL_DEVICE_MAX_WORK_GROUP_SIZE = \(deviceMaximum), "
                + "kernel CL_KERNEL_WORK_GROUP_SIZE = \(kernelMaximum)."
        case let .invalidNDRange(kernel, global, local, code, reason):
            return "Invalid ND-range for kernel '\(kernel)': global \(Self.dims(global)), local "
                + "\(local.map(Self.dims) ?? "auto") (\(code.name)): \(reason)."
        case let .localMemoryTooSmall(needed, available, device, kernel, suggestion):
            let hint = suggestion.map { " Suggestion: \($0)" } ?? ""
            return "Kernel '\(kernel)' needs \(needed) bytes of local memory but \(device) has \(available) "
                + "(CL_DEVICE_LOCAL_MEM_SIZE; CL_OUT_OF_RESOURCES).\(hint)"
        case let .bufferTooLarge(bytes, maximum, device):
            return "Buffer of \(bytes) bytes (\(ByteCount.format(bytes))) exceeds \(device)'s maximum single "
                + "allocation of \(maximum) bytes (\(ByteCount.format(maximum)), CL_DEVICE_MAX_MEM_ALLOC_SIZE; CL_INVALID_BUFFER_SIZE)."
        case let .allocationFailed(bytes, device, code):
            return "Allocating \(bytes) bytes (\(ByteCount.format(bytes))) on \(device) failed (\(code.name))."
        case let .call(name, code, context):
            return "\(name) failed with \(code.name) (\(code.rawValue)): \(context)."
        }
    }

    private static func dims(_ sizes: [Int]) -> String {
        "[" + sizes.map(String.init).joined(separator: ", ") + "]"
    }
}
