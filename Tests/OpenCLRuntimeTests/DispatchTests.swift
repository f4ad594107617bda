import Testing
@testable import OpenCLRuntime

@Suite struct DispatchTests {
    @Test func vectorAddRunsCorrectly() throws {
        let context = try makeContext()
        let n = 1000
        let a = (0..<n).map { Float($0) }
        let b = (0..<n).map { Float(2 * $0) + 0.5 }
        let bufferA = try context.makeBuffer(a, access: .readOnly)
        let bufferB = try context.makeBuffer(b, access: .readOnly)
        let bufferC = try context.makeBuffer(count: n, of: Float.self, access: .writeOnly)
        let kernel = try context.buildProgram(source: TestKernels.vectorAdd).makeKernel("vadd")
        #expect(kernel.argumentCount == 4)
        try kernel.setArguments([.buffer(bufferA), .buffer(bufferB), .buffer(bufferC), .int32(Int32(n))])
        let event = try context.dispatch(kernel, global: [1024], local: [64])
        try context.finish()
        #expect(try bufferC.read(as: Float.self) == zip(a, b).map(+))
        let seconds = try event.elapsedSeconds
        #expect(seconds > 0)
        print("PoCL vadd n=\(n) first dispatch: \(ms(seconds)) device time")
    }

    @Test func tiledMatmulWithLocalMemoryRunsCorrectly() throws {
        let context = try makeContext()
        let (m, n, k, tile) = (32, 24, 16, 8)
        let a = (0..<m * k).map { Float(($0 * 7) % 11) - 5 }
        let b = (0..<k * n).map { Float(($0 * 5) % 13) - 6 }
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[i * k + p] * b[p * n + j] } } }

        let program = try context.buildProgram(source: TestKernels.matmul, options: "-DTILE=\(tile)")
        let kernel = try program.makeKernel("matmul")
        let c = try context.makeBuffer(count: m * n, of: Float.self, access: .writeOnly)
        let tileBytes = tile * tile * MemoryLayout<Float>.stride
        let event = try context.dispatch(kernel, global: [n, m], local: [tile, tile], arguments: [
            .buffer(try context.makeBuffer(a, access: .readOnly)), .buffer(try context.makeBuffer(b, access: .readOnly)),
            .buffer(c), .int32(Int32(m)), .int32(Int32(n)), .int32(Int32(k)), .local(bytes: tileBytes), .local(bytes: tileBytes),
        ])
        #expect(try c.read(as: Float.self) == expected)  // small integers: exact in fp32
        #expect(try event.elapsedNanoseconds > 0)
    }

    @Test func localSizeAboveTheMaximumIsRejectedBeforeEnqueue() throws {
        let context = try makeContext()
        let kernel = try context.buildProgram(source: TestKernels.vectorAdd).makeKernel("scale")
        let buffer = try context.makeBuffer(count: 16, of: Float.self)
        let limit = min(context.device.maxWorkGroupSize, kernel.workGroupSize)
        let requested = limit * 2
        #expect {
            try context.dispatch(kernel, global: [requested], local: [requested], arguments: [.buffer(buffer), .float(2)])
        } throws: { error in
            guard let error = error as? OpenCLError,
                  case let .invalidWorkGroupSize(name, local, maximum, deviceMaximum, kernelMaximum) = error else { return false }
            return name == "scale" && local == [requested] && maximum == limit
                && deviceMaximum == context.device.maxWorkGroupSize && kernelMaximum == kernel.workGroupSize
                && error.description.contains(String(requested)) && error.description.contains(String(limit))
                && error.errorName == "CL_INVALID_WORK_GROUP_SIZE"
        }
    }

    @Test func malformedRangesAreTypedErrors() throws {
        let context = try makeContext()
        let kernel = try context.buildProgram(source: TestKernels.vectorAdd).makeKernel("scale")
        try kernel.setArguments([.buffer(try context.makeBuffer(count: 16, of: Float.self)), .float(2)])
        for (global, local, name) in [([16], [3], "CL_INVALID_WORK_GROUP_SIZE"), ([], nil, "CL_INVALID_WORK_DIMENSION"),
                                      ([0], nil, "CL_INVALID_GLOBAL_WORK_SIZE"), ([16], [4, 4], "CL_INVALID_WORK_DIMENSION")] as [([Int], [Int]?, String)] {
            #expect {
                try context.dispatch(kernel, global: global, local: local)
            } throws: { error in
                guard let error = error as? OpenCLError, case .invalidNDRange = error else { return false }
                return error.errorName == name
            }
        }
    }

    @Test func missingArgumentsAreReported() throws {
        let context = try makeContext()
        let kernel = try context.buildProgram(source: TestKernels.vectorAdd).makeKernel("scale")
        try kernel.setArgument(1, .float(2))
        #expect {
            try context.dispatch(kernel, global: [16])
        } throws: { error in
            (error as? OpenCLError)?.errorName == "CL_INVALID_KERNEL_ARGS" && "\(error)".contains("[0]")
        }
        #expect(throws: OpenCLError.self) { try kernel.setArgument(5, .float(1)) }
    }

    @Test func tooMuchLocalMemoryIsRejectedBeforeEnqueue() throws {
        let context = try makeContext()
        let kernel = try context.buildProgram(source: TestKernels.matmul, options: "-DTILE=4").makeKernel("matmul")
        let buffer = try context.makeBuffer(count: 16, of: Float.self)
        let tooMuch = context.device.localMemorySize + 4
        #expect {
            try context.dispatch(kernel, global: [4, 4], local: [4, 4], arguments: [
                .buffer(buffer), .buffer(buffer), .buffer(buffer), .int32(4), .int32(4), .int32(4),
                .local(bytes: tooMuch), .local(bytes: 64),
            ])
        } throws: { error in
            guard let error = error as? OpenCLError,
                  case let .localMemoryTooSmall(needed, available, device, kernelName, _) = error else { return false }
            return needed >= tooMuch + 64 && available == context.device.localMemorySize
                && device == context.device.name && kernelName == "matmul"
        }
    }

    @Test func bufferAboveMaxAllocationIsATypedError() throws {
        let context = try makeContext()
        let maximum = context.device.maxAllocationSize
        #expect {
            try context.makeBuffer(byteCount: maximum + 1)
        } throws: { error in
            guard let error = error as? OpenCLError, case let .bufferTooLarge(bytes, limit, _) = error else { return false }
            return bytes == maximum + 1 && limit == maximum && error.description.contains(String(maximum))
        }
        #expect(throws: OpenCLError.self) { try context.makeBuffer(count: Int.max / 2, of: Float.self) }
        #expect(throws: OpenCLError.self) { try context.makeBuffer(byteCount: 0) }
    }

    @Test func buffersRoundTripEveryElementType() throws {
        let context = try makeContext()
        let halves: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0]
        #expect(try context.makeBuffer(halves).read(as: UInt16.self) == halves)
        let ints: [Int32] = [-3, 0, .max, .min]
        #expect(try context.makeBuffer(ints).read(as: Int32.self) == ints)
        let buffer = try context.makeBuffer(count: 4, of: Float.self)
        try buffer.write([Float]([1, 2, 3, 4]))
        #expect(try buffer.read(as: Float.self) == [1, 2, 3, 4])
        #expect(try buffer.read(as: UInt16.self).count == 8)
        #expect(throws: OpenCLError.self) { try buffer.write([Float](repeating: 0, count: 5)) }
    }

    @Test func halfStorageWorksWithoutTheFP16Extension() throws {
        // vload_half/vstore_half are core OpenCL C 1.2: fp16 *storage* needs no cl_khr_fp16
        // (which PoCL 3.1 on the CPU does not report). UInt16 buffers carry the bits.
        let context = try makeContext()
        let source = """
            __kernel void twice(__global const half* x, __global half* y) {
                size_t i = get_global_id(0);
                vstore_half(2.0f * vload_half(i, x), i, y);
            }
            """
        let kernel = try context.buildProgram(source: source).makeKernel("twice")
        let input: [UInt16] = [0x3C00, 0xBC00, 0x3800, 0x0000]  // 1, -1, 0.5, 0
        let output = try context.makeBuffer(count: 4, of: UInt16.self, access: .writeOnly)
        try context.dispatch(kernel, global: [4], arguments: [.buffer(try context.makeBuffer(input)), .buffer(output)]).wait()
        #expect(try output.read(as: UInt16.self) == [0x4000, 0xC000, 0x3C00, 0x0000])  // 2, -2, 1, 0
    }

    @Test func concurrentDispatchesOfOneKernelKeepTheirArguments() async throws {
        let context = try makeContext()
        let kernel = try context.buildProgram(source: TestKernels.vectorAdd).makeKernel("scale")
        let results = try await withThrowingTaskGroup(of: (Float, [Float]).self) { group in
            for factor in 1...12 {
                group.addTask {
                    let buffer = try context.makeBuffer([Float](repeating: 1, count: 256))
                    try context.dispatch(kernel, global: [256], arguments: [.buffer(buffer), .float(Float(factor))]).wait()
                    return (Float(factor), try buffer.read(as: Float.self))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 12)
        for (factor, values) in results { #expect(values.allSatisfy { $0 == factor }) }
    }

    @Test func kernelsAndBuffersOfAnotherContextAreRejected() throws {
        let one = try makeContext()
        let two = try makeContext()
        let kernel = try one.buildProgram(source: TestKernels.vectorAdd).makeKernel("scale")
        let foreign = try two.makeBuffer(count: 4, of: Float.self)
        #expect(throws: OpenCLError.self) { try kernel.setArgument(0, .buffer(foreign)) }
        #expect(throws: OpenCLError.self) { try two.dispatch(kernel, global: [4]) }
    }
}
