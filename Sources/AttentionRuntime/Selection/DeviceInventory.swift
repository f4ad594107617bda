import OpenCLRuntime
import VulkanRuntime

/// The OpenCL and Vulkan devices of this machine, or why an API offers none. Probing runs
/// each API's once-per-process discovery.
public struct DeviceInventory: Sendable, Hashable {
    public enum APIDevices: Sendable, Hashable {
        case devices([DeviceCandidate])
        /// No loader, no driver or no device; the text is the driver-level reason.
        case unavailable(reason: String)
    }

    public var vulkan: APIDevices
    public var opencl: APIDevices

    public init(vulkan: APIDevices, opencl: APIDevices) {
        self.vulkan = vulkan
        self.opencl = opencl
    }

    /// What this machine's loaders report.
    public static func probe() -> DeviceInventory {
        let vulkan: APIDevices
        do {
            vulkan = .devices(try VulkanDevices.all().map(DeviceCandidate.init))
        } catch {
            vulkan = .unavailable(reason: error.description)
        }
        let opencl: APIDevices
        do {
            opencl = .devices(try OpenCLDevices.all().map(DeviceCandidate.init))
        } catch {
            opencl = .unavailable(reason: error.description)
        }
        return DeviceInventory(vulkan: vulkan, opencl: opencl)
    }
}
