import Testing
@testable import VulkanRuntime

@Suite struct CooperativeMatrixDeviceTests {
    @Test func componentTypesDecodeTheRegistryValues() {
        let expected: [(UInt32, VulkanComponentType, String)] = [
            (0, .float16, "f16"), (1, .float32, "f32"), (2, .float64, "f64"), (3, .sint8, "s8"),
            (4, .sint16, "s16"), (5, .sint32, "s32"), (6, .sint64, "s64"), (7, .uint8, "u8"),
            (8, .uint16, "u16"), (9, .uint32, "u32"), (10, .uint64, "u64"), (1_000_141_000, .bfloat16, "bf16"),
            (1_000_491_002, .float8E4M3, "e4m3"), (1_000_491_003, .float8E5M2, "e5m2"),
        ]
        for (raw, type, name) in expected {
            #expect(VulkanComponentType(rawValue: raw) == type)
            #expect(type.rawValue == raw)
            #expect(type.description == name)
        }
        #expect(VulkanComponentType(rawValue: 11) == .other(11))
        #expect(VulkanComponentType(rawValue: 1_000_672_000).rawValue == 1_000_672_000)
        #expect(VulkanComponentType.other(77).description == "type(77)")
    }

    @Test func scopesDecodeTheRegistryValues() {
        #expect(VulkanScope(rawValue: 1) == .device)
        #expect(VulkanScope(rawValue: 2) == .workgroup)
        #expect(VulkanScope(rawValue: 3) == .subgroup)
        #expect(VulkanScope(rawValue: 5) == .queueFamily)
        #expect(VulkanScope(rawValue: 4) == .other(4))
        #expect(VulkanScope.queueFamily.rawValue == 5)
        #expect(VulkanScope.other(0).description == "scope(0)")
    }

    @Test func shapeFromRawFields() {
        let shape = VulkanCooperativeMatrixShape(api: .khr, m: 16, n: 8, k: 16, a: 0, b: 0, c: 1, result: 1, scope: 3)
        #expect(shape == VulkanCooperativeMatrixShape(api: .khr, m: 16, n: 8, k: 16, a: .float16, b: .float16,
                                                      c: .float32, result: .float32, scope: .subgroup))
        #expect(shape.description == "16x8x16 f16*f16+f32->f32 (subgroup, KHR)")
        let saturating = VulkanCooperativeMatrixShape(api: .nv, m: 8, n: 8, k: 32, a: 3, b: 7, c: 5, result: 5,
                                                      scope: 2, saturatingAccumulation: 1)
        #expect(saturating.description == "8x8x32 s8*u8+s32->s32 saturating (workgroup, NV)")
        #expect(VulkanCooperativeMatrixShape.API.nv.extensionName == "VK_NV_cooperative_matrix")
    }

    @Test func devicesWithoutTheExtensionListNoShapes() throws {
        for device in try VulkanDevices.all() {
            #expect((device.cooperativeMatrixExtension == nil) == (device.cooperativeMatrixAPI == nil))
            if device.cooperativeMatrixExtension == nil {
                #expect(device.cooperativeMatrixShapes.isEmpty, "\(device)")
                #expect(!device.supportsCooperativeMatrix && !device.hasCooperativeMatrix, "\(device)")
            }
            #expect(device.cooperativeMatrixShapes.allSatisfy { $0.api == device.cooperativeMatrixAPI })
        }
        let lavapipe = try #require(VulkanDevices.lavapipe())
        #expect(lavapipe.cooperativeMatrixExtension == nil)
        // Read through the same separate features call: lavapipe (Vulkan 1.3) has the memory model.
        #expect(lavapipe.supportsVulkanMemoryModel && lavapipe.supportsVulkanMemoryModelDeviceScope)
    }

    @Test func reportHasACooperativeMatrixLinePerDevice() throws {
        let report = VulkanDevices.report()
        let lines = report.split(separator: "\n").filter { $0.hasPrefix("      cooperative matrices") }
        #expect(lines.count == (try VulkanDevices.all()).count, "\(report)")
        let lavapipe = try #require(VulkanDevices.lavapipe())
        if lavapipe.cooperativeMatrixExtension == nil { #expect(lines.contains("      cooperative matrices: none")) }
    }
}
