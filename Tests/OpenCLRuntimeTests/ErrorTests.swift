import Testing
@testable import OpenCLRuntime

@Suite struct ErrorTests {
    @Test func codesHaveTheirCNames() {
        #expect(OpenCLErrorCode(rawValue: -5).name == "CL_OUT_OF_RESOURCES")
        #expect(OpenCLErrorCode(rawValue: -54).name == "CL_INVALID_WORK_GROUP_SIZE")
        #expect(OpenCLErrorCode(rawValue: -11).name == "CL_BUILD_PROGRAM_FAILURE")
        #expect(OpenCLErrorCode(rawValue: -1001).name == "CL_PLATFORM_NOT_FOUND_KHR")
        #expect(OpenCLErrorCode(rawValue: -9999).name == "CL_UNKNOWN_ERROR(-9999)")
    }

    @Test func everyCaseNamesItsOpenCLError() {
        let cases: [(OpenCLError, String)] = [
            (.noPlatform(vendorsDirectory: "/etc/OpenCL/vendors", icdFiles: [], code: .platformNotFoundKHR), "CL_PLATFORM_NOT_FOUND_KHR"),
            (.buildFailed(device: "d", log: "x.cl:3:5: error", options: ""), "CL_BUILD_PROGRAM_FAILURE"),
            (.outOfResources(call: "clEnqueueNDRangeKernel", context: "k"), "CL_OUT_OF_RESOURCES"),
            (.invalidWorkGroupSize(kernel: "k", requested: [8192], maximum: 4096, deviceMaximum: 4096, kernelMaximum: 4096),
             "CL_INVALID_WORK_GROUP_SIZE"),
            (.localMemoryTooSmall(needed: 2, available: 1, device: "d", kernel: "k", suggestion: nil), "CL_OUT_OF_RESOURCES"),
            (.deviceNotFound(query: "q", available: []), "CL_DEVICE_NOT_FOUND"),
            (.kernelNotFound(name: "k", available: ["a"]), "CL_INVALID_KERNEL_NAME"),
            (.bufferTooLarge(bytes: 2, maximum: 1, device: "d"), "CL_INVALID_BUFFER_SIZE"),
            (.call(name: "clFinish", code: .outOfHostMemory, context: "c"), "CL_OUT_OF_HOST_MEMORY"),
        ]
        for (error, name) in cases {
            #expect(error.errorName == name)
            #expect(error.description.contains(name))
        }
    }

    @Test func noPlatformNamesTheVendorsFolder() {
        let error = OpenCLError.noPlatform(vendorsDirectory: "/etc/OpenCL/vendors", icdFiles: [], code: .platformNotFoundKHR)
        #expect(error.description.contains("/etc/OpenCL/vendors"))
        #expect(error.description.contains("ICD loader"))
    }

    @Test func suggestionIsAddedToLocalMemoryErrors() {
        let error = OpenCLError.localMemoryTooSmall(needed: 100_000, available: 65_536, device: "gpu", kernel: "attn",
                                                    suggestion: nil)
            .withSuggestion("use a 32-key tile")
        #expect(error.description.contains("100000"))
        #expect(error.description.contains("65536"))
        #expect(error.description.contains("use a 32-key tile"))
        let other = OpenCLError.outOfResources(call: "c", context: "x")
        #expect(other.withSuggestion("s") == other)
    }
}
