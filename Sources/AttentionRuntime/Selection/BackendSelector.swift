/// The `auto` rule, as a pure function of the device inventory: GPUs (and accelerators) in
/// order of kind — discrete, integrated, other, accelerator — and for the same kind Vulkan
/// before OpenCL, except on NVIDIA where OpenCL measured faster (`DeviceCandidate.apiRank`);
/// CPU implementations of OpenCL and Vulkan (PoCL, lavapipe) are skipped because the CPU
/// interpreter runs the same program faster on the same cores; the interpreter closes the list.
public enum BackendSelector {
    public struct Ranking: Sendable, Hashable {
        /// Devices to try, best first.
        public let devices: [DeviceCandidate]
        /// Devices and APIs left out, with the reason.
        public let skipped: [BackendSelection.Entry]
    }

    public static func rank(_ inventory: DeviceInventory) -> Ranking {
        var usable: [DeviceCandidate] = []
        var skipped: [BackendSelection.Entry] = []
        for (api, devices) in [(DeviceCandidate.API.vulkan, inventory.vulkan), (.opencl, inventory.opencl)] {
            switch devices {
            case .unavailable(let reason):
                skipped.append(.init(backend: api.rawValue, device: "no device", verdict: .skipped(reason: reason)))
            case .devices(let candidates):
                for candidate in candidates {
                    if let reason = candidate.unusableReason {
                        skipped.append(.init(backend: api.rawValue, device: candidate.description, verdict: .skipped(reason: reason)))
                    } else if candidate.kind == .cpuImplementation || candidate.kind == .other {
                        let why = candidate.kind == .cpuImplementation
                            ? "runs on the CPU, where the CPU interpreter is faster"
                            : "not a GPU or accelerator"
                        skipped.append(.init(
                            backend: api.rawValue, device: candidate.description,
                            verdict: .skipped(reason: "\(why); ask for it with '\(api.rawValue):\(candidate.index)'")))
                    } else {
                        usable.append(candidate)
                    }
                }
            }
        }
        // OpenCL says only "GPU"; the same device seen through Vulkan says discrete or integrated.
        var vulkanKinds: [String: DeviceCandidate.Kind] = [:]
        for device in usable where device.api == .vulkan { vulkanKinds[device.name] = vulkanKinds[device.name] ?? device.kind }
        usable = usable.map { device in
            guard device.api == .opencl, device.kind == .otherGPU, let kind = vulkanKinds[device.name] else { return device }
            return device.with(kind: kind)
        }
        usable.sort { ($0.kind.rank, $0.apiRank, $0.index) < ($1.kind.rank, $1.apiRank, $1.index) }
        return Ranking(devices: usable, skipped: skipped)
    }
}
