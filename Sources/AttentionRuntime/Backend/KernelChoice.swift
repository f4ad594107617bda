import AttentionSpec
import KernelLowering

/// How a backend runs a spec: its kernels' strategy, tiling and resources beside what the
/// device offers. `attngen devices --explain --spec FILE` prints it.
public struct KernelChoice: Sendable, CustomStringConvertible {
    public struct Kernel: Sendable {
        public let name: String
        public let workgroupSize: Int
        public let sharedMemoryBytes: Int
    }

    public let backend: String
    public let device: String
    /// Where the kernels come from: generated for this device, or a prebuilt package.
    public let origin: KernelOrigin?
    /// The strategy's compact form (empty for backends that run the plan directly).
    public let strategy: String
    /// The tiling the kernels run (a device may shrink the spec's to fit its memory).
    public let tiling: Tiling
    public let kernels: [Kernel]
    /// The device's limits, in words.
    public let limits: String

    public var description: String {
        guard !strategy.isEmpty else {
            return "\(backend) on \(device): runs the plan's tiles directly (no generated kernels), tiling \(tiling.text)"
        }
        let words = KernelStrategy(compact: strategy)?.description ?? "unparsed"
        let origin = switch self.origin {
        case .package(let name)?: "package \(name)"
        default: "generated for this device"
        }
        let lines = [
            "\(backend) on \(device): kernels \(origin), tiling \(tiling.text)",
            "  strategy \(strategy): \(words)",
        ] + kernels.map { "  \($0.name): work-groups of \($0.workgroupSize), \($0.sharedMemoryBytes) bytes of shared memory" }
            + ["  device: \(limits)"]
        return lines.joined(separator: "\n")
    }
}

extension Tiling {
    var text: String {
        "query " + queryTile.map(String.init).joined(separator: "×") + ", key " + keyTile.map(String.init).joined(separator: "×")
    }
}

extension AttentionBackend {
    /// Backends without generated kernels run the spec's own tiling.
    public func kernelChoice(for spec: AttentionSpec) throws(AttentionError) -> KernelChoice {
        KernelChoice(backend: name, device: device, origin: nil, strategy: "", tiling: spec.tiling, kernels: [], limits: "host memory")
    }
}
