import RuntimeSupport

/// The backends a runtime falls back to when retries are enabled, opened on first use and then
/// kept (opening a device context is slow; a failing one is not retried on every call).
final class StandbyBackends: Sendable {
    enum Slot: Sendable {
        case ready(any AttentionBackend)
        case request(BackendRequest)
    }

    private let slots: Locked<[Slot]>
    let count: Int

    init(_ slots: [Slot]) {
        self.slots = Locked(slots)
        self.count = slots.count
    }

    /// The backend of slot `index`, opened now if it was only a request.
    func backend(at index: Int) throws(AttentionError) -> any AttentionBackend {
        let slot = slots.withLock { $0[index] }
        switch slot {
        case .ready(let backend):
            return backend
        case .request(let request):
            let backend = try AttentionRuntime.open(request)
            slots.withLock { $0[index] = .ready(backend) }
            return backend
        }
    }
}
