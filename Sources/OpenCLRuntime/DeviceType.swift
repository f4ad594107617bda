import COpenCL

/// The kind of an OpenCL device. `cl_device_type` is a UInt64 bitfield in Swift; this names it once.
public enum DeviceType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case cpu, gpu, accelerator, custom, other

    /// Classifies a device's bitfield (a device may also carry CL_DEVICE_TYPE_DEFAULT).
    init(bits: cl_device_type) {
        if bits & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 { self = .gpu }
        else if bits & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 { self = .accelerator }
        else if bits & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 { self = .cpu }
        else if bits & cl_device_type(CL_DEVICE_TYPE_CUSTOM) != 0 { self = .custom }
        else { self = .other }
    }

    public var description: String { rawValue }
}
