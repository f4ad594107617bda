import Testing
@testable import OpenCLRuntime

@Suite struct DiscoveryTests {
    @Test func listsAtLeastOneDeviceWithPlausibleLimits() throws {
        let devices = try OpenCLDevices.all()
        #expect(!devices.isEmpty)
        for device in devices {
            #expect(!device.name.isEmpty)
            #expect(device.openCLCVersion.hasPrefix("OpenCL C"))
            #expect(device.computeUnits >= 1)
            #expect(device.maxWorkGroupSize >= 1)
            #expect(device.maxWorkItemSizes.count >= 3)  // CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS >= 3
            #expect(device.maxWorkItemSizes.allSatisfy { $0 >= 1 && $0 <= device.maxWorkGroupSize })
            #expect(device.localMemorySize >= 16 * 1024)
            #expect(device.globalMemorySize >= device.maxAllocationSize)
            #expect(device.maxAllocationSize >= 1 << 20)
            #expect(!device.extensions.isEmpty)
            #expect(device.hasFP16 == device.extensions.contains("cl_khr_fp16"))
        }
        #expect(devices.map(\.index) == Array(devices.indices))
        let platforms = try OpenCLDevices.platforms()
        #expect(platforms.flatMap(\.devices) == devices)
        #expect(platforms.allSatisfy { !$0.name.isEmpty && $0.version.hasPrefix("OpenCL") })
    }

    @Test func concurrentDiscoveryIsSafeAndStable() async throws {
        let lists = try await withThrowingTaskGroup(of: [OpenCLDeviceInfo].self) { group in
            for _ in 0..<20 { group.addTask { try OpenCLDevices.all() } }
            var lists: [[OpenCLDeviceInfo]] = []
            for try await list in group { lists.append(list) }
            return lists
        }
        #expect(lists.count == 20)
        let first = try #require(lists.first)
        #expect(!first.isEmpty)
        #expect(lists.allSatisfy { $0 == first })
    }

    @Test func selectsByIndexNameAndType() throws {
        let first = try #require(try OpenCLDevices.all().first)
        #expect(try OpenCLDevices.select(.index(first.index)) == first)
        let needle = String(first.name.prefix(6)).uppercased()  // case-insensitive substring
        #expect(try OpenCLDevices.select(.name(needle)).name.lowercased().contains(needle.lowercased()))
        #expect(try OpenCLDevices.select(.type(first.type)).type == first.type)
        _ = try OpenCLDevices.select(.preferred)
    }

    @Test func unmatchedQueryListsWhatExists() throws {
        let devices = try OpenCLDevices.all()
        #expect {
            try OpenCLDevices.select(.name("no-such-device-xyz"))
        } throws: { error in
            guard let error = error as? OpenCLError,
                  case let .deviceNotFound(query, available) = error else { return false }
            return query.contains("no-such-device-xyz") && available.count == devices.count
                && error.errorName == "CL_DEVICE_NOT_FOUND" && error.description.contains(devices[0].name)
        }
        #expect(throws: OpenCLError.self) { try OpenCLDevices.select(.index(devices.count + 5)) }
    }

    @Test func parsesDeviceQueries() {
        #expect(DeviceQuery(parsing: "2") == .index(2))
        #expect(DeviceQuery(parsing: "GPU") == .type(.gpu))
        #expect(DeviceQuery(parsing: " cpu ") == .type(.cpu))
        #expect(DeviceQuery(parsing: "") == .preferred)
        #expect(DeviceQuery(parsing: "pthread") == .name("pthread"))
    }

    @Test func reportListsDevicesAndLimits() throws {
        let report = OpenCLDevices.report()
        let devices = try OpenCLDevices.all()
        for device in devices {
            #expect(report.contains(device.name))
            #expect(report.contains(device.driverVersion))
        }
        for column in ["Device", "Type", "CUs", "MaxWG", "Local", "Global", "MaxAlloc", "fp16"] {
            #expect(report.contains(column))
        }
        #expect(report.contains("Platform 0"))
    }
}
