import COpenCL

/// One OpenCL platform (driver) and its devices.
public struct OpenCLPlatform: Sendable, Hashable {
    public let index: Int
    public let name: String
    public let vendor: String
    public let version: String
    public let profile: String
    public let devices: [OpenCLDeviceInfo]
}

/// The platform fields needed while its devices are being read.
struct OpenCLPlatformHeader {
    let id: cl_platform_id
    let index: Int
    let name: String
    let vendor: String
    let version: String
    let profile: String

    init(id: cl_platform_id, index: Int) throws(OpenCLError) {
        func string(_ param: Int32, _ label: String) throws(OpenCLError) -> String {
            try clInfoString("clGetPlatformInfo", "\(label) of platform #\(index)") {
                clGetPlatformInfo(id, cl_platform_info(param), $0, $1, $2)
            }
        }
        self.id = id
        self.index = index
        name = try string(CL_PLATFORM_NAME, "CL_PLATFORM_NAME")
        vendor = try string(CL_PLATFORM_VENDOR, "CL_PLATFORM_VENDOR")
        version = try string(CL_PLATFORM_VERSION, "CL_PLATFORM_VERSION")
        profile = try string(CL_PLATFORM_PROFILE, "CL_PLATFORM_PROFILE")
    }
}
