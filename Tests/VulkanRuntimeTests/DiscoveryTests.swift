import Testing
@testable import VulkanRuntime

@Suite struct DiscoveryTests {
    @Test func lavapipeIsPresentWithPlausibleLimits() throws {
        let devices = try VulkanDevices.all()
        let found = devices.first { $0.isLavapipe }
        let lavapipe = try #require(found, "devices: \(devices)")
        #expect(lavapipe.type == .cpu)
        #expect(lavapipe.driverID == .mesaLLVMPipe)
        #expect(lavapipe.name.lowercased().contains("llvmpipe"))
        #expect(lavapipe.loopIterationLimit == 65_535)
        #expect(lavapipe.apiVersion >= .v1_1)
        #expect(lavapipe.maxComputeSharedMemorySize >= 16_384)
        #expect(lavapipe.maxComputeWorkGroupInvocations >= 128)
        #expect(lavapipe.maxComputeWorkGroupSize.count == 3 && lavapipe.maxComputeWorkGroupSize[0] >= 128)
        #expect(lavapipe.maxComputeWorkGroupCount.allSatisfy { $0 >= 65_535 })
        #expect(lavapipe.subgroupSize >= 1)
        #expect(lavapipe.maxPushConstantsSize >= 128)
        #expect(lavapipe.computeQueueFamily != nil)
        #expect(lavapipe.pipelineCacheUUID.count == 16)
        #expect(!lavapipe.driverName.isEmpty)
    }

    @Test func reportListsTheDevice() throws {
        let report = VulkanDevices.report()
        let lavapipe = try #require(VulkanDevices.lavapipe())
        #expect(report.contains(lavapipe.name))
        #expect(report.contains("loop cap 65535"))
        #expect(report.contains("Subgroup"))
    }

    @Test func concurrentDiscoveryFrom20TasksIsSafe() async throws {
        let names = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<20 { group.addTask { try VulkanDevices.all().map(\.name) } }
            var all: [[String]] = []
            for try await names in group { all.append(names) }
            return all
        }
        #expect(names.count == 20)
        #expect(Set(names).count == 1)
    }

    @Test func selection() throws {
        #expect(try VulkanDevices.select(.name("LLVMPIPE")).isLavapipe)
        #expect(try VulkanDevices.select(.type(.cpu)).type == .cpu)
        #expect(try VulkanDevices.select(.index(0)).index == 0)
        #expect(VulkanDeviceQuery(parsing: "cpu") == .type(.cpu))
        #expect(VulkanDeviceQuery(parsing: "1") == .index(1))
        #expect(VulkanDeviceQuery(parsing: "") == .preferred)
        #expect(VulkanDeviceQuery(parsing: "radeon") == .name("radeon"))
        do {
            _ = try VulkanDevices.select(.name("no-such-gpu"))
            Issue.record("expected deviceNotFound")
        } catch {
            guard case let .deviceNotFound(query, available) = error else { Issue.record("\(error)"); return }
            #expect(query.contains("no-such-gpu"))
            #expect(available.contains { $0.contains("llvmpipe") })
            #expect(error.description.contains("Available:"))
        }
    }

    @Test func resultNames() {
        #expect(VulkanResult.outOfDeviceMemory.name == "VK_ERROR_OUT_OF_DEVICE_MEMORY")
        #expect(VulkanResult(rawValue: 0).name == "VK_SUCCESS")
        #expect(VulkanResult(rawValue: -123456).name == "VkResult(-123456)")
        #expect(VulkanError.outOfDeviceMemory(bytes: 1 << 30, device: "x").description.contains("VK_ERROR_OUT_OF_DEVICE_MEMORY"))
        #expect(VulkanError.call(name: "vkFoo", result: .deviceLost, context: "c").description.contains("VK_ERROR_DEVICE_LOST"))
    }
}
