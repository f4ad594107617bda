import COpenCL

/// Turns a status code into the typed error: the one place that maps raw codes to cases.
@inline(__always)
func clCheck(_ status: cl_int, _ call: String, _ context: @autoclosure () -> String) throws(OpenCLError) {
    guard status != CL_SUCCESS else { return }
    throw OpenCLError.from(status: status, call: call, context: context())
}

extension OpenCLError {
    static func from(status: cl_int, call: String, context: String) -> OpenCLError {
        let code = OpenCLErrorCode(rawValue: status)
        if code == .outOfResources { return .outOfResources(call: call, context: context) }
        return .call(name: call, code: code, context: context)
    }
}

/// The shape of every clGet*Info function once its object and parameter are bound.
typealias InfoQuery = (_ size: Int, _ value: UnsafeMutableRawPointer?, _ sizeReturned: UnsafeMutablePointer<Int>?) -> cl_int

/// Raw bytes of an info parameter (asks for the size first).
func clInfoBytes(_ call: String, _ context: @autoclosure () -> String, _ query: InfoQuery) throws(OpenCLError) -> [UInt8] {
    var size = 0
    try clCheck(query(0, nil, &size), call, context())
    guard size > 0 else { return [] }
    var bytes = [UInt8](repeating: 0, count: size)
    let status = bytes.withUnsafeMutableBytes { query(size, $0.baseAddress, nil) }
    try clCheck(status, call, context())
    return bytes
}

/// A string parameter, without its trailing NUL and surrounding spaces (PoCL pads some).
func clInfoString(_ call: String, _ context: @autoclosure () -> String, _ query: InfoQuery) throws(OpenCLError) -> String {
    var bytes = try clInfoBytes(call, context(), query)
    if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
    return String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
}

/// A fixed-size scalar parameter (cl_uint, cl_ulong, size_t, bitfields).
func clInfoValue<T: BitwiseCopyable>(_ type: T.Type, _ call: String, _ context: @autoclosure () -> String,
                                     _ query: InfoQuery) throws(OpenCLError) -> T {
    var bytes = [UInt8](repeating: 0, count: MemoryLayout<T>.size)
    let status = bytes.withUnsafeMutableBytes { query(MemoryLayout<T>.size, $0.baseAddress, nil) }
    try clCheck(status, call, context())
    return bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
}

/// An array parameter (e.g. CL_DEVICE_MAX_WORK_ITEM_SIZES, CL_PROGRAM_BINARY_SIZES).
func clInfoArray<T: BitwiseCopyable>(_ type: T.Type, _ call: String, _ context: @autoclosure () -> String,
                                     _ query: InfoQuery) throws(OpenCLError) -> [T] {
    let bytes = try clInfoBytes(call, context(), query)
    let count = bytes.count / MemoryLayout<T>.stride
    return bytes.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self) } }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
