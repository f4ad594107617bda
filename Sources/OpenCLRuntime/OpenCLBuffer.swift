import RuntimeSupport
import COpenCL

/// How kernels use a buffer (the host may always read and write it).
public enum BufferAccess: String, Sendable, Hashable {
    case readOnly, writeOnly, readWrite

    var flags: cl_mem_flags {
        switch self {
        case .readOnly: cl_mem_flags(CL_MEM_READ_ONLY)
        case .writeOnly: cl_mem_flags(CL_MEM_WRITE_ONLY)
        case .readWrite: cl_mem_flags(CL_MEM_READ_WRITE)
        }
    }
}

/// Element types that buffers hold: `Float`, `UInt16` (fp16/bf16 bits), `Int32`, `UInt32`.
public protocol OpenCLScalar: BitwiseCopyable, Sendable {}
extension Float: OpenCLScalar {}
extension UInt16: OpenCLScalar {}
extension Int32: OpenCLScalar {}
extension UInt32: OpenCLScalar {}

/// Device memory of one context. Keeps the context's driver objects alive (reads and writes
/// go through its queue).
public final class OpenCLBuffer: @unchecked Sendable {
    public var device: OpenCLDeviceInfo { handles.device }
    public let byteCount: Int
    public let access: BufferAccess
    let handle: cl_mem
    let handles: ContextHandles

    init(handles: ContextHandles, byteCount: Int, access: BufferAccess, handle: cl_mem) {
        self.handles = handles
        self.byteCount = byteCount
        self.access = access
        self.handle = handle
    }

    deinit { clReleaseMemObject(handle) }

    /// The whole buffer as `T`s (blocking; the in-order queue runs earlier kernels first).
    public func read<T: OpenCLScalar>(as type: T.Type = T.self) throws(OpenCLError) -> [T] {
        let stride = MemoryLayout<T>.stride
        guard byteCount % stride == 0 else {
            throw .call(name: "clEnqueueReadBuffer", code: .invalidValue,
                        context: "buffer of \(byteCount) bytes is not a whole number of \(T.self) (\(stride) bytes)")
        }
        var status: cl_int = CL_SUCCESS
        let values = [T](unsafeUninitializedCapacity: byteCount / stride) { buffer, count in
            status = clEnqueueReadBuffer(handles.queue, handle, cl_bool(CL_TRUE), 0, byteCount,
                                         UnsafeMutableRawPointer(buffer.baseAddress), 0, nil, nil)
            count = status == CL_SUCCESS ? byteCount / stride : 0
        }
        try clCheck(status, "clEnqueueReadBuffer", "reading \(byteCount) bytes from a buffer on \(device.name)")
        return values
    }

    /// Overwrites the start of the buffer with `values` (blocking).
    public func write<T: OpenCLScalar>(_ values: [T]) throws(OpenCLError) {
        let bytes = values.count * MemoryLayout<T>.stride
        guard bytes <= byteCount else {
            throw .call(name: "clEnqueueWriteBuffer", code: .invalidValue,
                        context: "writing \(bytes) bytes into a buffer of \(byteCount) bytes")
        }
        guard bytes > 0 else { return }
        let status = values.withUnsafeBytes {
            clEnqueueWriteBuffer(handles.queue, handle, cl_bool(CL_TRUE), 0, bytes, $0.baseAddress, 0, nil, nil)
        }
        try clCheck(status, "clEnqueueWriteBuffer", "writing \(bytes) bytes to a buffer on \(device.name)")
    }
}

extension OpenCLContext {
    /// A buffer initialised with `values`.
    public func makeBuffer<T: OpenCLScalar>(_ values: [T], access: BufferAccess = .readWrite) throws(OpenCLError) -> OpenCLBuffer {
        let bytes = try checkedByteCount(values.count, MemoryLayout<T>.stride)
        // withUnsafeBytes is `rethrows` (untyped), so carry the typed error out in a Result.
        let result = values.withUnsafeBytes { raw in
            Result { () throws(OpenCLError) -> OpenCLBuffer in
                try createBuffer(bytes: bytes, access: access, flags: cl_mem_flags(CL_MEM_COPY_HOST_PTR),
                                 host: UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
        }
        return try result.get()
    }

    /// An uninitialised buffer of `count` elements of `type`.
    public func makeBuffer<T: OpenCLScalar>(count: Int, of type: T.Type, access: BufferAccess = .readWrite) throws(OpenCLError) -> OpenCLBuffer {
        try makeBuffer(byteCount: checkedByteCount(count, MemoryLayout<T>.stride), access: access)
    }

    /// An uninitialised buffer of `byteCount` bytes.
    public func makeBuffer(byteCount: Int, access: BufferAccess = .readWrite) throws(OpenCLError) -> OpenCLBuffer {
        try createBuffer(bytes: byteCount, access: access, flags: 0, host: nil)
    }

    private func checkedByteCount(_ count: Int, _ stride: Int) throws(OpenCLError) -> Int {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
        guard !overflow else { throw .bufferTooLarge(bytes: Int.max, maximum: device.maxAllocationSize, device: device.name) }
        return bytes
    }

    /// Checks the size against CL_DEVICE_MAX_MEM_ALLOC_SIZE first: drivers differ in whether
    /// (and when) they refuse, PoCL may even accept and fail later.
    private func createBuffer(bytes: Int, access: BufferAccess, flags: cl_mem_flags,
                              host: UnsafeMutableRawPointer?) throws(OpenCLError) -> OpenCLBuffer {
        guard bytes > 0 else {
            throw .call(name: "clCreateBuffer", code: .invalidBufferSize, context: "a buffer needs at least 1 byte, got \(bytes)")
        }
        guard bytes <= device.maxAllocationSize else {
            throw .bufferTooLarge(bytes: bytes, maximum: device.maxAllocationSize, device: device.name)
        }
        var status: cl_int = CL_SUCCESS
        let handle = clCreateBuffer(context, access.flags | flags, bytes, host, &status)
        guard let handle, status == CL_SUCCESS else {
            let code = OpenCLErrorCode(rawValue: status)
            switch code {
            case .invalidBufferSize:
                throw .bufferTooLarge(bytes: bytes, maximum: device.maxAllocationSize, device: device.name)
            case .memObjectAllocationFailure, .outOfHostMemory, .outOfResources:
                throw .allocationFailed(bytes: bytes, device: device.name, code: code)
            default:
                throw .call(name: "clCreateBuffer", code: code, context: "\(bytes) bytes, \(access) on \(device.name)")
            }
        }
        return OpenCLBuffer(handles: handles, byteCount: bytes, access: access, handle: handle)
    }
}
