import COpenCL

/// What one OpenCL device is and what it allows: a plain value, read once at discovery.
public struct OpenCLDeviceInfo: Sendable, Hashable, CustomStringConvertible {
    /// Position in `OpenCLDevices.all()` (what `DeviceQuery.index` selects).
    public let index: Int
    public let platformIndex: Int
    public let platformName: String
    /// CL_PLATFORM_VERSION, part of the binary-cache key (a driver upgrade invalidates binaries).
    public let platformVersion: String
    public let name: String
    public let type: DeviceType
    public let vendor: String
    public let driverVersion: String
    /// CL_DEVICE_VERSION, e.g. "OpenCL 3.0 PoCL HSTR: ...".
    public let version: String
    /// CL_DEVICE_OPENCL_C_VERSION, e.g. "OpenCL C 1.2 PoCL".
    public let openCLCVersion: String
    public let available: Bool
    public let compilerAvailable: Bool
    public let computeUnits: Int
    public let maxClockMHz: Int
    public let maxWorkGroupSize: Int
    public let maxWorkItemSizes: [Int]
    public let localMemorySize: Int
    /// True when local memory is dedicated (CL_LOCAL), false when emulated in global memory (CL_GLOBAL).
    public let localMemoryIsDedicated: Bool
    public let globalMemorySize: Int
    public let maxAllocationSize: Int
    public let extensions: [String]

    // Handles as bit patterns: `cl_device_id` is an OpaquePointer (not Sendable); device and
    // platform ids stay valid for the whole process, so the bits are a safe identity.
    let deviceBits: UInt
    let platformBits: UInt

    var deviceID: cl_device_id { OpaquePointer(bitPattern: deviceBits)! }
    var platformID: cl_platform_id { OpaquePointer(bitPattern: platformBits)! }

    public var hasFP16: Bool { extensions.contains("cl_khr_fp16") }
    public var hasFP64: Bool { extensions.contains("cl_khr_fp64") }
    /// Subgroup extensions present (cl_khr_subgroups, cl_intel_subgroups, cl_khr_subgroup_*...).
    public var subgroupExtensions: [String] { extensions.filter { $0.contains("subgroup") } }
    public var hasSubgroups: Bool { !subgroupExtensions.isEmpty }

    /// Everything that decides whether a compiled binary is reusable: cache key component.
    public var identity: String { "\(platformName)|\(platformVersion)|\(name)|\(driverVersion)|\(version)" }

    public var description: String { "#\(index) \(name) (\(type), \(platformName))" }
}

extension OpenCLDeviceInfo {
    /// Reads every field from the driver. Called only during the one-time discovery.
    init(index: Int, platformIndex: Int, platform: OpenCLPlatformHeader, device: cl_device_id) throws(OpenCLError) {
        func string(_ param: Int32, _ label: String) throws(OpenCLError) -> String {
            try clInfoString("clGetDeviceInfo", "\(label) of device #\(index)") {
                clGetDeviceInfo(device, cl_device_info(param), $0, $1, $2)
            }
        }
        func value<T: BitwiseCopyable>(_ param: Int32, _ type: T.Type, _ label: String) throws(OpenCLError) -> T {
            try clInfoValue(type, "clGetDeviceInfo", "\(label) of device #\(index)") {
                clGetDeviceInfo(device, cl_device_info(param), $0, $1, $2)
            }
        }
        self.index = index
        self.platformIndex = platformIndex
        platformName = platform.name
        platformVersion = platform.version
        name = try string(CL_DEVICE_NAME, "CL_DEVICE_NAME")
        type = DeviceType(bits: try value(CL_DEVICE_TYPE, cl_device_type.self, "CL_DEVICE_TYPE"))
        vendor = try string(CL_DEVICE_VENDOR, "CL_DEVICE_VENDOR")
        driverVersion = try string(CL_DRIVER_VERSION, "CL_DRIVER_VERSION")
        version = try string(CL_DEVICE_VERSION, "CL_DEVICE_VERSION")
        openCLCVersion = try string(CL_DEVICE_OPENCL_C_VERSION, "CL_DEVICE_OPENCL_C_VERSION")
        available = try value(CL_DEVICE_AVAILABLE, cl_bool.self, "CL_DEVICE_AVAILABLE") != 0
        compilerAvailable = try value(CL_DEVICE_COMPILER_AVAILABLE, cl_bool.self, "CL_DEVICE_COMPILER_AVAILABLE") != 0
        computeUnits = Int(try value(CL_DEVICE_MAX_COMPUTE_UNITS, cl_uint.self, "CL_DEVICE_MAX_COMPUTE_UNITS"))
        maxClockMHz = Int(try value(CL_DEVICE_MAX_CLOCK_FREQUENCY, cl_uint.self, "CL_DEVICE_MAX_CLOCK_FREQUENCY"))
        maxWorkGroupSize = try value(CL_DEVICE_MAX_WORK_GROUP_SIZE, Int.self, "CL_DEVICE_MAX_WORK_GROUP_SIZE")
        maxWorkItemSizes = try clInfoArray(Int.self, "clGetDeviceInfo", "CL_DEVICE_MAX_WORK_ITEM_SIZES of device #\(index)") {
            clGetDeviceInfo(device, cl_device_info(CL_DEVICE_MAX_WORK_ITEM_SIZES), $0, $1, $2)
        }
        localMemorySize = Int(clamping: try value(CL_DEVICE_LOCAL_MEM_SIZE, cl_ulong.self, "CL_DEVICE_LOCAL_MEM_SIZE"))
        localMemoryIsDedicated = try value(CL_DEVICE_LOCAL_MEM_TYPE, cl_device_local_mem_type.self, "CL_DEVICE_LOCAL_MEM_TYPE")
            == cl_device_local_mem_type(CL_LOCAL)
        globalMemorySize = Int(clamping: try value(CL_DEVICE_GLOBAL_MEM_SIZE, cl_ulong.self, "CL_DEVICE_GLOBAL_MEM_SIZE"))
        maxAllocationSize = Int(clamping: try value(CL_DEVICE_MAX_MEM_ALLOC_SIZE, cl_ulong.self, "CL_DEVICE_MAX_MEM_ALLOC_SIZE"))
        extensions = try string(CL_DEVICE_EXTENSIONS, "CL_DEVICE_EXTENSIONS")
            .split(separator: " ").map(String.init)
        deviceBits = UInt(bitPattern: device)
        platformBits = UInt(bitPattern: platform.id)
    }
}
