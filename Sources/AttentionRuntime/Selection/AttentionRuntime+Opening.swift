import OpenCLRuntime
import VulkanRuntime

/// The chosen backend, the selection text, and what stands by.
struct OpenedSelection {
    let backend: any AttentionBackend
    let selection: BackendSelection
    let standby: [StandbyBackends.Slot]
}

extension AttentionRuntime {
    /// Opens the backend a forced request names, or throws `backendUnavailable`.
    static func force(_ request: BackendRequest, forcedBy: String, kernels: PrebuiltKernels?) throws(AttentionError) -> OpenedSelection {
        let backend = try open(request, kernels: kernels)
        let chosen = BackendSelection.Entry(backend: backend.name, device: backend.device, verdict: .chosen)
        var entries = [chosen]
        var standby: [StandbyBackends.Slot] = []
        if backend.name != "cpu" {
            entries.append(.init(backend: "cpu", device: CPUBackend.hostDevice, verdict: .standby))
            standby.append(.request(.cpu))
        }
        return OpenedSelection(
            backend: backend,
            selection: BackendSelection(request: request, forcedBy: forcedBy, chosen: chosen, entries: entries),
            standby: standby)
    }

    /// The `auto` rule: the first ranked device that opens, else the CPU interpreter.
    static func choose(_ ranking: BackendSelector.Ranking, kernels: PrebuiltKernels?) -> OpenedSelection {
        var chosen: (any AttentionBackend)?
        var entries: [BackendSelection.Entry] = []
        var standby: [StandbyBackends.Slot] = []
        for device in ranking.devices {
            let request = device.request
            if chosen != nil {
                entries.append(.init(backend: device.api.rawValue, device: device.description, verdict: .standby))
                standby.append(.request(request))
                continue
            }
            do {
                chosen = try open(request, kernels: kernels)
                entries.append(.init(backend: device.api.rawValue, device: device.description, verdict: .chosen))
            } catch {
                entries.append(.init(backend: device.api.rawValue, device: device.description, verdict: .skipped(reason: "could not open: \(error)")))
            }
        }
        let cpu = CPUBackend()
        if chosen == nil {
            entries.append(.init(backend: cpu.name, device: cpu.device, verdict: .chosen))
        } else {
            entries.append(.init(backend: cpu.name, device: cpu.device, verdict: .standby))
            standby.append(.ready(cpu))
        }
        entries += ranking.skipped
        let backend = chosen ?? cpu
        let chosenEntry = BackendSelection.Entry(backend: backend.name, device: backend.device, verdict: .chosen)
        return OpenedSelection(
            backend: backend,
            selection: BackendSelection(request: .auto, forcedBy: nil, chosen: chosenEntry, entries: entries),
            standby: standby)
    }

    /// Opens one named backend; `.auto` is not a backend and is resolved before this.
    static func open(_ request: BackendRequest, kernels: PrebuiltKernels?) throws(AttentionError) -> any AttentionBackend {
        switch request {
        case .auto: return CPUBackend()
        case .cpu: return CPUBackend()
        case .reference: return ReferenceBackend()
        case .opencl(let device): return try OpenCLBackend(device: device.map(DeviceQuery.init(parsing:)) ?? .preferred, prebuilt: kernels)
        case .vulkan(let device): return try VulkanBackend(device: device.map(VulkanDeviceQuery.init(parsing:)) ?? .preferred, prebuilt: kernels)
        }
    }
}

extension DeviceCandidate {
    /// The forced request that opens exactly this device.
    var request: BackendRequest {
        switch api {
        case .vulkan: .vulkan(device: String(index))
        case .opencl: .opencl(device: String(index))
        }
    }
}
