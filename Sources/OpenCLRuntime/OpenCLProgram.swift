import COpenCL

/// A built program for its context's device. Immutable, so shared freely (and cached).
public final class OpenCLProgram: @unchecked Sendable {
    /// Where the executable came from.
    public enum Origin: String, Sendable { case source, diskCache }

    /// The device it was built for.
    public var device: OpenCLDeviceInfo { handles.device }
    public let source: String
    public let options: String
    public let origin: Origin
    /// The driver's log of the successful build (warnings), often empty.
    public let buildLog: String
    /// Wall time of create + build (for a disk-cache hit: load + link only).
    public let buildSeconds: Double
    /// CL_PROGRAM_KERNEL_NAMES, in the driver's order.
    public let kernelNames: [String]
    let handle: cl_program
    let handles: ContextHandles

    /// Takes ownership of `handle` (released on deinit, also when this init throws).
    init(handles: ContextHandles, handle: cl_program, source: String, options: String, origin: Origin,
         buildLog: String, buildSeconds: Double) throws(OpenCLError) {
        self.handles = handles
        self.handle = handle
        self.source = source
        self.options = options
        self.origin = origin
        self.buildLog = buildLog
        self.buildSeconds = buildSeconds
        let names: String
        do {
            names = try clInfoString("clGetProgramInfo", "CL_PROGRAM_KERNEL_NAMES") {
                clGetProgramInfo(handle, cl_program_info(CL_PROGRAM_KERNEL_NAMES), $0, $1, $2)
            }
        } catch {
            clReleaseProgram(handle)
            throw error
        }
        kernelNames = names.split(separator: ";").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    deinit { clReleaseProgram(handle) }

    /// A kernel by name; an unknown name lists the program's kernels.
    public func makeKernel(_ name: String) throws(OpenCLError) -> OpenCLKernel {
        guard kernelNames.contains(name) else { throw .kernelNotFound(name: name, available: kernelNames) }
        return try OpenCLKernel(program: self, name: name)
    }

    /// The device binary (CL_PROGRAM_BINARIES), what the disk cache stores.
    func binary() throws(OpenCLError) -> [UInt8] {
        let sizes = try clInfoArray(Int.self, "clGetProgramInfo", "CL_PROGRAM_BINARY_SIZES") {
            clGetProgramInfo(handle, cl_program_info(CL_PROGRAM_BINARY_SIZES), $0, $1, $2)
        }
        guard sizes.count == 1, let size = sizes.first, size > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: size)
        let status = bytes.withUnsafeMutableBufferPointer { buffer in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return clGetProgramInfo(handle, cl_program_info(CL_PROGRAM_BINARIES),
                                    MemoryLayout<UnsafeMutablePointer<UInt8>?>.size, &pointer, nil)
        }
        try clCheck(status, "clGetProgramInfo", "CL_PROGRAM_BINARIES")
        return bytes
    }
}
