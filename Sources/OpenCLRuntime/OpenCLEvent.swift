import COpenCL

/// A queued command. The queue has profiling enabled, so every event can report its run time.
public final class OpenCLEvent: @unchecked Sendable {
    let handle: cl_event
    let label: String

    init(handle: cl_event, label: String) {
        self.handle = handle
        self.label = label
    }

    deinit { clReleaseEvent(handle) }

    /// Blocks until the command finished; a command that failed reports its own error code.
    public func wait() throws(OpenCLError) {
        var event: cl_event? = handle
        let status = clWaitForEvents(1, &event)
        if status == CL_SUCCESS { return }
        let execution = try? clInfoValue(cl_int.self, "clGetEventInfo", "") {
            clGetEventInfo(handle, cl_event_info(CL_EVENT_COMMAND_EXECUTION_STATUS), $0, $1, $2)
        }
        throw OpenCLError.from(status: execution.flatMap { $0 < 0 ? $0 : nil } ?? status,
                               call: "clWaitForEvents", context: label)
    }

    /// Device time from CL_PROFILING_COMMAND_START to CL_PROFILING_COMMAND_END (waits first).
    public var elapsedNanoseconds: UInt64 {
        get throws(OpenCLError) {
            try wait()
            let start = try profilingValue(CL_PROFILING_COMMAND_START, "CL_PROFILING_COMMAND_START")
            let end = try profilingValue(CL_PROFILING_COMMAND_END, "CL_PROFILING_COMMAND_END")
            return end >= start ? end - start : 0
        }
    }

    public var elapsedSeconds: Double {
        get throws(OpenCLError) { Double(try elapsedNanoseconds) * 1e-9 }
    }

    private func profilingValue(_ param: Int32, _ name: String) throws(OpenCLError) -> UInt64 {
        try clInfoValue(cl_ulong.self, "clGetEventProfilingInfo", "\(name) of \(label)") {
            clGetEventProfilingInfo(handle, cl_profiling_info(param), $0, $1, $2)
        }
    }
}
