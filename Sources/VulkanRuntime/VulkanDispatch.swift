/// Workgroup counts of one dispatch (vkCmdDispatch's x, y, z).
public struct VulkanGroupCount: Sendable, Hashable, CustomStringConvertible {
    public let x: Int
    public let y: Int
    public let z: Int

    public init(x: Int, y: Int = 1, z: Int = 1) {
        self.x = x
        self.y = y
        self.z = z
    }

    public var array: [Int] { [x, y, z] }
    public var description: String { "(\(x), \(y), \(z))" }
}

/// One step of a dispatch sequence: a pipeline, its buffers (binding i = buffers[i]), its
/// push-constant bytes (exactly the pipeline's `pushConstantBytes`) and its group counts.
public struct VulkanDispatch: Sendable {
    public let pipeline: VulkanPipeline
    public let buffers: [VulkanBuffer]
    public let pushConstants: [UInt8]
    public let groups: VulkanGroupCount

    public init(_ pipeline: VulkanPipeline, buffers: [VulkanBuffer], pushConstants: [UInt8] = [],
                groups: (x: Int, y: Int, z: Int)) {
        self.pipeline = pipeline
        self.buffers = buffers
        self.pushConstants = pushConstants
        self.groups = VulkanGroupCount(x: groups.x, y: groups.y, z: groups.z)
    }

    /// Push constants given as an array of one scalar type (e.g. `[UInt32]`).
    public init<T: VulkanScalar>(_ pipeline: VulkanPipeline, buffers: [VulkanBuffer], pushConstants: [T],
                                 groups: (x: Int, y: Int, z: Int)) {
        self.init(pipeline, buffers: buffers, pushConstants: pushConstants.withUnsafeBytes { Array($0) }, groups: groups)
    }

    public init(_ pipeline: VulkanPipeline, buffers: [VulkanBuffer], pushConstants: VulkanPushConstants,
                groups: (x: Int, y: Int, z: Int)) {
        self.init(pipeline, buffers: buffers, pushConstants: pushConstants.paddedBytes, groups: groups)
    }
}

/// How long a submission took. `deviceSeconds` comes from timestamp queries (first dispatch's
/// start to last dispatch's end); nil where the queue has no timestamps.
public struct VulkanTiming: Sendable, Hashable, CustomStringConvertible {
    /// Wall time of record + submit + fence wait.
    public let hostSeconds: Double
    public let deviceSeconds: Double?
    /// Per dispatch, in order (empty without timestamps).
    public let dispatchDeviceSeconds: [Double]

    public var description: String {
        let device = deviceSeconds.map { String(format3($0 * 1e3)) + " ms device" } ?? "no device time"
        return "\(format3(hostSeconds * 1e3)) ms host, \(device)"
    }
}

func format3(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return String(scaled)
}
