import RuntimeSupport
import COpenCL

/// One kernel argument.
public enum KernelArgument: Sendable {
    case buffer(OpenCLBuffer)
    case int32(Int32)
    case uint32(UInt32)
    case float(Float)
    /// A `__local` pointer argument of this many bytes.
    case local(bytes: Int)
}

/// A kernel of a program with its per-device limits. Arguments are set under the kernel's
/// lock (clSetKernelArg is the one OpenCL call that is not thread-safe), and `dispatch` with
/// `arguments:` sets and enqueues atomically, so tasks may share a kernel.
public final class OpenCLKernel: @unchecked Sendable {
    public let name: String
    public let program: OpenCLProgram
    public let argumentCount: Int
    /// CL_KERNEL_WORK_GROUP_SIZE: the largest local size this kernel can run with here.
    public let workGroupSize: Int
    /// CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE (a SIMD width hint).
    public let preferredWorkGroupSizeMultiple: Int
    /// CL_KERNEL_LOCAL_MEM_SIZE before any `__local` argument is set (static `__local` arrays).
    public let staticLocalMemorySize: Int
    /// CL_KERNEL_PRIVATE_MEM_SIZE per work-item.
    public let privateMemorySize: Int
    let handle: cl_kernel
    let state = Locked(ArgumentState())

    struct ArgumentState {
        /// Buffers stay alive as long as they are bound.
        var buffers: [Int: OpenCLBuffer] = [:]
        var localBytes: [Int: Int] = [:]
        var setIndices: Set<Int> = []
    }

    init(program: OpenCLProgram, name: String) throws(OpenCLError) {
        var status: cl_int = CL_SUCCESS
        guard let handle = clCreateKernel(program.handle, name, &status), status == CL_SUCCESS else {
            if status == CL_INVALID_KERNEL_NAME { throw .kernelNotFound(name: name, available: program.kernelNames) }
            throw OpenCLError.from(status: status, call: "clCreateKernel", context: "kernel '\(name)'")
        }
        let device = program.device.deviceID
        func workGroupInfo<T: BitwiseCopyable>(_ param: Int32, _ type: T.Type, _ label: String) -> T? {
            try? clInfoValue(type, "clGetKernelWorkGroupInfo", "\(label) of kernel '\(name)'") {
                clGetKernelWorkGroupInfo(handle, device, cl_kernel_work_group_info(param), $0, $1, $2)
            }
        }
        let argumentCount = try? clInfoValue(cl_uint.self, "clGetKernelInfo", "CL_KERNEL_NUM_ARGS") {
            clGetKernelInfo(handle, cl_kernel_info(CL_KERNEL_NUM_ARGS), $0, $1, $2)
        }
        guard let argumentCount, let groupSize = workGroupInfo(CL_KERNEL_WORK_GROUP_SIZE, Int.self, "CL_KERNEL_WORK_GROUP_SIZE") else {
            clReleaseKernel(handle)
            throw .call(name: "clGetKernelInfo", code: .invalidValue, context: "reading the limits of kernel '\(name)'")
        }
        self.name = name
        self.program = program
        self.handle = handle
        self.argumentCount = Int(argumentCount)
        workGroupSize = groupSize
        preferredWorkGroupSizeMultiple = workGroupInfo(CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, Int.self, "") ?? 1
        staticLocalMemorySize = Int(clamping: workGroupInfo(CL_KERNEL_LOCAL_MEM_SIZE, cl_ulong.self, "") ?? 0)
        privateMemorySize = Int(clamping: workGroupInfo(CL_KERNEL_PRIVATE_MEM_SIZE, cl_ulong.self, "") ?? 0)
    }

    deinit { clReleaseKernel(handle) }

    /// Sets argument `index`.
    public func setArgument(_ index: Int, _ argument: KernelArgument) throws(OpenCLError) {
        try state.withLock { (state) throws(OpenCLError) in try bind(index, argument, &state) }
    }

    /// Sets arguments 0..<arguments.count in order.
    public func setArguments(_ arguments: [KernelArgument]) throws(OpenCLError) {
        try state.withLock { (state) throws(OpenCLError) in
            for (index, argument) in arguments.enumerated() { try bind(index, argument, &state) }
        }
    }

    /// Caller holds the lock.
    func bind(_ index: Int, _ argument: KernelArgument, _ state: inout ArgumentState) throws(OpenCLError) {
        guard (0..<argumentCount).contains(index) else {
            throw .call(name: "clSetKernelArg", code: .invalidArgIndex,
                        context: "argument \(index) of kernel '\(name)', which takes \(argumentCount)")
        }
        let argIndex = cl_uint(index)
        let status: cl_int
        switch argument {
        case .buffer(let buffer):
            guard buffer.handles === program.handles else {
                throw .call(name: "clSetKernelArg", code: OpenCLErrorCode(rawValue: CL_INVALID_MEM_OBJECT),
                            context: "argument \(index) of kernel '\(name)': the buffer belongs to another context")
            }
            var mem: cl_mem? = buffer.handle
            status = clSetKernelArg(handle, argIndex, MemoryLayout<cl_mem?>.size, &mem)
        case .int32(var value):
            status = clSetKernelArg(handle, argIndex, MemoryLayout<Int32>.size, &value)
        case .uint32(var value):
            status = clSetKernelArg(handle, argIndex, MemoryLayout<UInt32>.size, &value)
        case .float(var value):
            status = clSetKernelArg(handle, argIndex, MemoryLayout<Float>.size, &value)
        case .local(let bytes):
            status = clSetKernelArg(handle, argIndex, bytes, nil)
        }
        try clCheck(status, "clSetKernelArg", "argument \(index) (\(argument.kind)) of kernel '\(name)'")
        state.setIndices.insert(index)
        state.buffers[index] = nil
        state.localBytes[index] = nil
        if case .buffer(let buffer) = argument { state.buffers[index] = buffer }
        if case .local(let bytes) = argument { state.localBytes[index] = bytes }
    }
}

extension KernelArgument {
    var kind: String {
        switch self {
        case .buffer(let buffer): "buffer of \(buffer.byteCount) bytes"
        case .int32(let value): "int \(value)"
        case .uint32(let value): "uint \(value)"
        case .float(let value): "float \(value)"
        case .local(let bytes): "__local \(bytes) bytes"
        }
    }
}
