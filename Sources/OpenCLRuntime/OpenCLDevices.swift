import RuntimeSupport
import COpenCL
import Foundation

/// Entry point to what this machine offers. Discovery runs exactly once per process, under a
/// lock: PoCL 3.1 is not safe for concurrent first platform discovery (measured: 29 of 30
/// concurrent races failed, with occasional segfaults in clGetPlatformInfo).
public enum OpenCLDevices {
    private static let discovery = Locked<Result<[OpenCLPlatform], OpenCLError>?>(nil)

    /// All platforms with their devices (a failure is remembered too: it will not change).
    public static func platforms() throws(OpenCLError) -> [OpenCLPlatform] {
        let result = discovery.withLock { state in
            if let state { return state }
            let fresh = DriverLock.run { Result { () throws(OpenCLError) in try discover() } }
            state = fresh
            return fresh
        }
        return try result.get()
    }

    /// All devices of all platforms, numbered across platforms; throws if there are none.
    public static func all() throws(OpenCLError) -> [OpenCLDeviceInfo] {
        let platforms = try platforms()
        let devices = platforms.flatMap(\.devices)
        guard !devices.isEmpty else { throw .noDevice(platforms: platforms.map(\.name)) }
        return devices
    }

    /// The first device matching `query`; the error lists every device when none matches.
    public static func select(_ query: DeviceQuery) throws(OpenCLError) -> OpenCLDeviceInfo {
        let devices = try all()
        if let match = query.pick(from: devices) { return match }
        throw .deviceNotFound(query: query.description, available: devices.map(\.description))
    }

    private static func discover() throws(OpenCLError) -> [OpenCLPlatform] {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        // ocl-icd answers CL_PLATFORM_NOT_FOUND_KHR when no .icd file loads.
        if status == OpenCLErrorCode.platformNotFoundKHR.rawValue || (status == CL_SUCCESS && count == 0) {
            throw noPlatform(OpenCLErrorCode(rawValue: status == CL_SUCCESS ? OpenCLErrorCode.platformNotFoundKHR.rawValue : status))
        }
        try clCheck(status, "clGetPlatformIDs", "counting platforms")
        var ids = [cl_platform_id?](repeating: nil, count: Int(count))
        try clCheck(clGetPlatformIDs(count, &ids, nil), "clGetPlatformIDs", "listing \(count) platforms")

        var platforms: [OpenCLPlatform] = []
        var deviceIndex = 0
        for (platformIndex, id) in ids.compactMap({ $0 }).enumerated() {
            let header = try OpenCLPlatformHeader(id: id, index: platformIndex)
            var devices: [OpenCLDeviceInfo] = []
            for deviceID in try deviceIDs(of: header) {
                devices.append(try OpenCLDeviceInfo(index: deviceIndex, platformIndex: platformIndex,
                                                    platform: header, device: deviceID))
                deviceIndex += 1
            }
            platforms.append(OpenCLPlatform(index: platformIndex, name: header.name, vendor: header.vendor,
                                            version: header.version, profile: header.profile, devices: devices))
        }
        return platforms
    }

    private static func deviceIDs(of platform: OpenCLPlatformHeader) throws(OpenCLError) -> [cl_device_id] {
        let all = cl_device_type(CL_DEVICE_TYPE_ALL)
        var count: cl_uint = 0
        let status = clGetDeviceIDs(platform.id, all, 0, nil, &count)
        if status == CL_DEVICE_NOT_FOUND { return [] }  // a platform without devices is not an error
        try clCheck(status, "clGetDeviceIDs", "counting devices of platform '\(platform.name)'")
        var ids = [cl_device_id?](repeating: nil, count: Int(count))
        try clCheck(clGetDeviceIDs(platform.id, all, count, &ids, nil), "clGetDeviceIDs",
                    "listing devices of platform '\(platform.name)'")
        return ids.compactMap { $0 }
    }

    private static func noPlatform(_ code: OpenCLErrorCode) -> OpenCLError {
        let dir = ProcessInfo.processInfo.environment["OCL_ICD_VENDORS"] ?? "/etc/OpenCL/vendors"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".icd") }.sorted()
        return .noPlatform(vendorsDirectory: dir, icdFiles: files, code: code)
    }
}
