import RuntimeSupport

/// The backends a runtime falls back to when retries are enabled, opened on first use and then
/// kept (opening a device context is slow; a failing one is not retried on every call).
final class StandbyBackends: Sendable {
    enum Slot: Sendable {
        case ready(any AttentionBackend)
        case request(BackendRequest)
    }

    private let slots: Locked<[Slot]>
    private let kernels: PrebuiltKernels?
    let count: Int

    init(_ slots: [Slot], kernels: PrebuiltKernels?) {
        self.slots = Locked(slots)
        self.kernels = kernels
        self.count = slots.count
    }

    /// The backend of slot `index`, opened now if it was only a request.
    func backend(at index: Int) throws(AttentionError) -> any AttentionBackend {
        let slot = slots.withLock { $0[index] }
        switch slot {
        case .ready(let backend):
            return backend
        case .request(let request):
            let backend = try AttentionRuntime.open(request, kernels: kernels)
            slots.withLock { $0[index] = .ready(backend) }
            return backend
        }
    }
}
