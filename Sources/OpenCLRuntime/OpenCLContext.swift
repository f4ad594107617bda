import RuntimeSupport
import COpenCL

/// One device with its context and an in-order, profiling command queue; owns the program
/// caches. Sendable: the handles never change and OpenCL 1.2 makes every call thread-safe
/// except clSetKernelArg, which `OpenCLKernel` guards with its own lock.
public final class OpenCLContext: @unchecked Sendable {
    public var device: OpenCLDeviceInfo { handles.device }
    public let programCacheLocation: ProgramCacheLocation
    let handles: ContextHandles
    let diskCache: ProgramBinaryCache?
    let programs = Locked(ProgramTable())

    var context: cl_context { handles.context }
    var queue: cl_command_queue { handles.queue }

    struct ProgramTable {
        var programs: [ProgramKey: OpenCLProgram] = [:]
        var statistics = ProgramCacheStatistics()
    }

    /// `programCache`: where binaries persist between runs (`.disabled` for none).
    public init(device: OpenCLDeviceInfo, programCache: ProgramCacheLocation = .userDefault) throws(OpenCLError) {
        handles = try ContextHandles(device: device)
        programCacheLocation = programCache
        diskCache = programCache.path.map(ProgramBinaryCache.init(directory:))
    }

    /// Opens the device that `query` selects.
    public convenience init(_ query: DeviceQuery = .preferred,
                            programCache: ProgramCacheLocation = .userDefault) throws(OpenCLError) {
        try self.init(device: OpenCLDevices.select(query), programCache: programCache)
    }

    public var cacheStatistics: ProgramCacheStatistics { programs.withLock { $0.statistics } }
    public var cacheHits: Int { cacheStatistics.cacheHits }
    public var cacheMisses: Int { cacheStatistics.cacheMisses }
    public var diskHits: Int { cacheStatistics.diskHits }

    /// Waits until every command queued so far has finished.
    public func finish() throws(OpenCLError) {
        try clCheck(clFinish(queue), "clFinish", "waiting for the queue of \(device)")
    }
}
