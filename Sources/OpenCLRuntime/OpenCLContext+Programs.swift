import COpenCL

extension OpenCLContext {
    /// Builds (or fetches) a program. Order: this context's memory cache, then the disk cache of
    /// binaries, then the compiler. A rejected or corrupt binary falls back to source and is
    /// rewritten. A compile error throws `buildFailed` with the driver's full log.
    public func buildProgram(source: String, options: String = "") throws(OpenCLError) -> OpenCLProgram {
        let key = ProgramKey(source: source, options: options, device: device)
        // The lock is held across the build so two tasks asking for the same program build it once.
        return try programs.withLock { (table) throws(OpenCLError) -> OpenCLProgram in
            if let cached = table.programs[key], cached.source == source, cached.options == options {
                table.statistics.cacheHits += 1
                return cached
            }
            table.statistics.cacheMisses += 1
            let program = try produceProgram(source: source, options: options, key: key, statistics: &table.statistics)
            table.programs[key] = program
            return program
        }
    }

    private func produceProgram(source: String, options: String, key: ProgramKey,
                                statistics: inout ProgramCacheStatistics) throws(OpenCLError) -> OpenCLProgram {
        if let diskCache {
            switch diskCache.load(key) {
            case .binary(let binary):
                if let program = try? programFromBinary(binary, source: source, options: options) {
                    statistics.diskHits += 1
                    return program
                }
                statistics.diskRejected += 1
            case .invalid:
                statistics.diskRejected += 1
            case .missing:
                break
            }
        }
        let program = try programFromSource(source, options: options)
        statistics.sourceBuilds += 1
        if let diskCache, let binary = try? program.binary(), !binary.isEmpty, diskCache.store(binary, for: key) {
            statistics.diskWrites += 1
        }
        return program
    }

    private func programFromSource(_ source: String, options: String) throws(OpenCLError) -> OpenCLProgram {
        let start = ContinuousClock.now
        var status: cl_int = CL_SUCCESS
        let handle: cl_program? = source.withCString { text in
            var string: UnsafePointer<CChar>? = text
            var length = source.utf8.count
            return clCreateProgramWithSource(context, 1, &string, &length, &status)
        }
        guard let handle, status == CL_SUCCESS else {
            throw OpenCLError.from(status: status, call: "clCreateProgramWithSource", context: "on \(device.name)")
        }
        return try finishBuild(handle, source: source, options: options, origin: .source, start: start)
    }

    private func programFromBinary(_ binary: [UInt8], source: String, options: String) throws(OpenCLError) -> OpenCLProgram {
        let start = ContinuousClock.now
        var status: cl_int = CL_SUCCESS
        var binaryStatus: cl_int = CL_SUCCESS
        var deviceID: cl_device_id? = device.deviceID
        var length = binary.count
        let handle: cl_program? = binary.withUnsafeBufferPointer { bytes in
            var pointer: UnsafePointer<UInt8>? = bytes.baseAddress
            return clCreateProgramWithBinary(context, 1, &deviceID, &length, &pointer, &binaryStatus, &status)
        }
        guard let handle, status == CL_SUCCESS, binaryStatus == CL_SUCCESS else {
            if let handle { clReleaseProgram(handle) }
            let code = status != CL_SUCCESS ? status : binaryStatus
            throw OpenCLError.from(status: code, call: "clCreateProgramWithBinary", context: "cached binary for \(device.name)")
        }
        return try finishBuild(handle, source: source, options: options, origin: .diskCache, start: start)
    }

    /// clBuildProgram (serialised: PoCL's compiler is not trusted with concurrent builds) and
    /// the log; takes ownership of `handle`.
    private func finishBuild(_ handle: cl_program, source: String, options: String,
                             origin: OpenCLProgram.Origin, start: ContinuousClock.Instant) throws(OpenCLError) -> OpenCLProgram {
        var deviceID: cl_device_id? = device.deviceID
        let (status, log) = DriverLock.run { () -> (cl_int, String) in
            let status = clBuildProgram(handle, 1, &deviceID, options, nil, nil)
            let log = (try? clInfoString("clGetProgramBuildInfo", "CL_PROGRAM_BUILD_LOG") {
                clGetProgramBuildInfo(handle, self.device.deviceID, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2)
            }) ?? ""
            return (status, log)
        }
        guard status == CL_SUCCESS else {
            clReleaseProgram(handle)
            if status == CL_BUILD_PROGRAM_FAILURE {
                throw .buildFailed(device: device.name, log: log, options: options)
            }
            throw OpenCLError.from(status: status, call: "clBuildProgram",
                                   context: "options '\(options)' on \(device.name)" + (log.isEmpty ? "" : "; log: \(log)"))
        }
        let seconds = (ContinuousClock.now - start).seconds
        return try OpenCLProgram(handles: handles, handle: handle, source: source, options: options,
                                 origin: origin, buildLog: log, buildSeconds: seconds)
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
