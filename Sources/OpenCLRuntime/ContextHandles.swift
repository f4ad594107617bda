import COpenCL

/// The driver objects of one context: what programs, kernels and buffers keep alive.
/// Separate from `OpenCLContext` so that the context's program cache (context → program)
/// does not form a retain cycle with the program's back-reference (program → handles).
final class ContextHandles: @unchecked Sendable {
    let device: OpenCLDeviceInfo
    let context: cl_context
    let queue: cl_command_queue

    init(device: OpenCLDeviceInfo) throws(OpenCLError) {
        self.device = device
        let created = DriverLock.run { () -> (cl_context?, cl_command_queue?, cl_int, String) in
            var status: cl_int = CL_SUCCESS
            var properties: [cl_context_properties] = [
                cl_context_properties(CL_CONTEXT_PLATFORM), cl_context_properties(Int(bitPattern: device.platformBits)), 0,
            ]
            var deviceID: cl_device_id? = device.deviceID
            guard let context = clCreateContext(&properties, 1, &deviceID, nil, nil, &status), status == CL_SUCCESS else {
                return (nil, nil, status, "clCreateContext")
            }
            // In-order queue with profiling, so every event can report its device time.
            let queue = clCreateCommandQueue(context, device.deviceID,
                                             cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE), &status)
            guard let queue, status == CL_SUCCESS else {
                clReleaseContext(context)
                return (nil, nil, status, "clCreateCommandQueue")
            }
            return (context, queue, CL_SUCCESS, "")
        }
        guard let context = created.0, let queue = created.1 else {
            throw OpenCLError.from(status: created.2, call: created.3, context: "creating a context for \(device)")
        }
        self.context = context
        self.queue = queue
    }

    deinit {
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }
}
