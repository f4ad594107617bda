import COpenCL

extension OpenCLContext {
    /// Enqueues `kernel` over `global` work-items in groups of `local` (nil: driver's choice).
    /// With `arguments`, they are set and the kernel enqueued under the kernel's lock, so
    /// concurrent dispatches of one kernel cannot mix arguments. The range, the work-group
    /// size and the local memory are checked *before* enqueuing, with errors naming the limits.
    public func dispatch(_ kernel: OpenCLKernel, global: [Int], local: [Int]? = nil,
                         arguments: [KernelArgument]? = nil) throws(OpenCLError) -> OpenCLEvent {
        guard kernel.program.handles === handles else {
            throw .call(name: "clEnqueueNDRangeKernel", code: OpenCLErrorCode(rawValue: CL_INVALID_CONTEXT),
                        context: "kernel '\(kernel.name)' was built for another context")
        }
        return try kernel.state.withLock { (state) throws(OpenCLError) -> OpenCLEvent in
            if let arguments {
                for (index, argument) in arguments.enumerated() { try kernel.bind(index, argument, &state) }
            }
            let missing = (0..<kernel.argumentCount).filter { !state.setIndices.contains($0) }
            guard missing.isEmpty else {
                throw .call(name: "clEnqueueNDRangeKernel", code: .invalidKernelArgs,
                            context: "kernel '\(kernel.name)' arguments \(missing) are not set")
            }
            try checkRange(kernel, global: global, local: local)
            try checkLocalMemory(kernel, argumentBytes: state.localBytes.values.reduce(0, +))
            return try enqueue(kernel, global: global, local: local)
        }
    }

    /// Throws `localMemoryTooSmall` when `needed` bytes exceed CL_DEVICE_LOCAL_MEM_SIZE; for
    /// callers (planners) that know a tile's footprint before building anything.
    public func checkLocalMemory(needed: Int, kernel: String) throws(OpenCLError) {
        guard needed <= device.localMemorySize else {
            throw .localMemoryTooSmall(needed: needed, available: device.localMemorySize, device: device.name,
                                       kernel: kernel, suggestion: nil)
        }
    }

    private func checkLocalMemory(_ kernel: OpenCLKernel, argumentBytes: Int) throws(OpenCLError) {
        // CL_KERNEL_LOCAL_MEM_SIZE after binding includes the __local arguments on conforming
        // drivers; the sum we track is the fallback for drivers that only count static arrays.
        let reported = (try? clInfoValue(cl_ulong.self, "clGetKernelWorkGroupInfo", "CL_KERNEL_LOCAL_MEM_SIZE") {
            clGetKernelWorkGroupInfo(kernel.handle, device.deviceID, cl_kernel_work_group_info(CL_KERNEL_LOCAL_MEM_SIZE), $0, $1, $2)
        }).map { Int(clamping: $0) } ?? 0
        try checkLocalMemory(needed: max(reported, kernel.staticLocalMemorySize + argumentBytes), kernel: kernel.name)
    }

    private func checkRange(_ kernel: OpenCLKernel, global: [Int], local: [Int]?) throws(OpenCLError) {
        func invalid(_ code: OpenCLErrorCode, _ reason: String) -> OpenCLError {
            .invalidNDRange(kernel: kernel.name, global: global, local: local, code: code, reason: reason)
        }
        guard (1...3).contains(global.count) else {
            throw invalid(.invalidWorkDimension, "OpenCL allows 1 to 3 dimensions, got \(global.count)")
        }
        guard global.allSatisfy({ $0 > 0 }) else {
            throw invalid(.invalidGlobalWorkSize, "every global size must be positive")
        }
        guard let local else { return }
        guard local.count == global.count else {
            throw invalid(.invalidWorkDimension, "local has \(local.count) dimensions, global \(global.count)")
        }
        guard local.allSatisfy({ $0 > 0 }) else {
            throw invalid(.invalidWorkGroupSize, "every local size must be positive")
        }
        let (product, overflow) = local.reduce((1, false)) { acc, size in
            let (value, o) = acc.0.multipliedReportingOverflow(by: size)
            return (value, acc.1 || o)
        }
        let limit = min(device.maxWorkGroupSize, kernel.workGroupSize)
        guard !overflow, product <= limit else {
            throw .invalidWorkGroupSize(kernel: kernel.name, requested: local, maximum: limit,
                                        deviceMaximum: device.maxWorkGroupSize, kernelMaximum: kernel.workGroupSize)
        }
        for (dimension, size) in local.enumerated() where dimension < device.maxWorkItemSizes.count {
            guard size <= device.maxWorkItemSizes[dimension] else {
                throw invalid(.invalidWorkItemSize, "local size \(size) in dimension \(dimension) exceeds "
                              + "CL_DEVICE_MAX_WORK_ITEM_SIZES[\(dimension)] = \(device.maxWorkItemSizes[dimension])")
            }
        }
        // OpenCL 1.2 requires whole work-groups (non-uniform groups arrived in 2.0).
        for (dimension, (g, l)) in zip(global, local).enumerated() where g % l != 0 {
            throw invalid(.invalidWorkGroupSize, "global size \(g) in dimension \(dimension) is not a multiple "
                          + "of the local size \(l) (OpenCL 1.2 needs whole work-groups)")
        }
    }

    private func enqueue(_ kernel: OpenCLKernel, global: [Int], local: [Int]?) throws(OpenCLError) -> OpenCLEvent {
        var event: cl_event?
        var globalSizes = global
        var localSizes = local ?? []
        let status = globalSizes.withUnsafeMutableBufferPointer { globalPointer in
            localSizes.withUnsafeMutableBufferPointer { localPointer in
                clEnqueueNDRangeKernel(queue, kernel.handle, cl_uint(global.count), nil, globalPointer.baseAddress,
                                       local == nil ? nil : localPointer.baseAddress, 0, nil, &event)
            }
        }
        let label = "kernel '\(kernel.name)' global \(global) local \(local.map { "\($0)" } ?? "auto") on \(device.name)"
        try clCheck(status, "clEnqueueNDRangeKernel", label)
        guard let event else {
            throw .call(name: "clEnqueueNDRangeKernel", code: .invalidValue, context: "\(label): no event returned")
        }
        return OpenCLEvent(handle: event, label: label)
    }
}
