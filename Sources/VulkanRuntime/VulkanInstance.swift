import RuntimeSupport
import CVulkan
import Foundation

/// The process-wide `VkInstance` (no layers, no extensions). Created once, on first discovery,
/// and never destroyed: physical-device handles in `VulkanDeviceInfo` stay valid for the whole
/// process, and every `VulkanContext` creates its logical device from it.
final class VulkanInstance: @unchecked Sendable {
    let handle: VkInstance
    /// The API version the instance was created with (min of loader and 1.3).
    let apiVersion: VulkanVersion

    private init(handle: VkInstance, apiVersion: VulkanVersion) {
        self.handle = handle
        self.apiVersion = apiVersion
    }

    private static let shared = Locked<Result<VulkanInstance, VulkanError>?>(nil)

    static func get() throws(VulkanError) -> VulkanInstance {
        let result = shared.withLock { state in
            if let state { return state }
            let fresh = Result { () throws(VulkanError) in try create() }
            state = fresh
            return fresh
        }
        return try result.get()
    }

    private static func create() throws(VulkanError) -> VulkanInstance {
        var loaderVersion: UInt32 = 0
        // vkEnumerateInstanceVersion exists from loader 1.1 on; a 1.0 loader cannot run us anyway.
        guard vkEnumerateInstanceVersion(&loaderVersion) == VK_SUCCESS else {
            throw .noLoader(reason: "vkEnumerateInstanceVersion failed: the Vulkan loader is older than 1.1.")
        }
        let loader = VulkanVersion(raw: loaderVersion)
        guard loader >= .v1_1 else {
            throw .noLoader(reason: "the Vulkan loader supports API \(loader); AttentionGen needs 1.1 or newer.")
        }
        let api = min(loader, VulkanVersion.v1_3)
        var instance: VkInstance?
        let result: VkResult = "AttentionGen".withCString { appName in
            var app = VkApplicationInfo()
            app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
            app.pApplicationName = appName
            app.applicationVersion = 1
            app.pEngineName = appName
            app.engineVersion = 1
            app.apiVersion = api.raw
            return withUnsafePointer(to: &app) { appPointer in
                var info = VkInstanceCreateInfo()
                info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                info.pApplicationInfo = appPointer
                return vkCreateInstance(&info, nil, &instance)
            }
        }
        guard result == VK_SUCCESS, let instance else {
            throw .noLoader(reason: "vkCreateInstance failed with \(VulkanResult(result).name); \(icdSummary()). "
                            + "Install a driver (e.g. mesa-vulkan-drivers for lavapipe) or set VK_ICD_FILENAMES.")
        }
        return VulkanInstance(handle: instance, apiVersion: api)
    }

    /// Which ICD manifests the loader would look at (for messages).
    static func icdSummary() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["VK_ICD_FILENAMES"] ?? environment["VK_DRIVER_FILES"] {
            return "VK_ICD_FILENAMES/VK_DRIVER_FILES = \(explicit)"
        }
        let folders = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"]
        let files = folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }
                .map { "\(folder)/\($0)" }
        }
        return files.isEmpty ? "no ICD manifest in \(folders.joined(separator: ", "))"
            : "ICD manifests: \(files.sorted().joined(separator: ", "))"
    }

    func physicalDevices() throws(VulkanError) -> [VkPhysicalDevice] {
        var count: UInt32 = 0
        try vkCheck(vkEnumeratePhysicalDevices(handle, &count, nil), "vkEnumeratePhysicalDevices", "counting devices")
        guard count > 0 else { return [] }
        var devices = [VkPhysicalDevice?](repeating: nil, count: Int(count))
        try vkCheck(vkEnumeratePhysicalDevices(handle, &count, &devices), "vkEnumeratePhysicalDevices", "listing devices")
        return devices.prefix(Int(count)).compactMap { $0 }
    }
}
