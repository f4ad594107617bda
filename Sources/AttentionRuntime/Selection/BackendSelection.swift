/// What the runtime chose and why every other backend was not chosen — the text of
/// `attngen devices --explain` and of the runtime's debug log line.
public struct BackendSelection: Sendable, Hashable, CustomStringConvertible {
    public enum Verdict: Sendable, Hashable {
        /// Runs every call.
        case chosen
        /// Usable; opened only when the chosen device cannot run a spec (auto), or fails while
        /// running one and the caller opted in to retries.
        case standby
        case skipped(reason: String)
    }

    public struct Entry: Sendable, Hashable {
        /// `vulkan`, `opencl`, `cpu` or `reference`.
        public let backend: String
        /// The device, e.g. `vulkan:0 NVIDIA H200 (discrete GPU)`, or `host CPU`.
        public let device: String
        public let verdict: Verdict

        public init(backend: String, device: String, verdict: Verdict) {
            self.backend = backend
            self.device = device
            self.verdict = verdict
        }
    }

    /// What was asked for, after the environment variable was applied.
    public let request: BackendRequest
    /// Who forced a backend (`ATTNGEN_BACKEND=cpu`, `the caller`); nil when `auto` chose.
    public let forcedBy: String?
    /// The backend that runs every call.
    public let chosen: Entry
    /// Every backend considered, in the order of preference, the chosen one included.
    public let entries: [Entry]

    public init(request: BackendRequest, forcedBy: String?, chosen: Entry, entries: [Entry]) {
        self.request = request
        self.forcedBy = forcedBy
        self.chosen = chosen
        self.entries = entries
    }

    /// The skipped entries' reasons, one short line each (for logs).
    public var skippedSummary: String {
        entries.compactMap { entry in
            guard case .skipped(let reason) = entry.verdict else { return nil }
            return "\(entry.device): \(reason)"
        }.joined(separator: "; ")
    }

    public var description: String {
        var lines = [
            forcedBy.map { "backend \(chosen.backend) on \(chosen.device) — forced by \($0) (request '\(request)')" }
                ?? "backend \(chosen.backend) on \(chosen.device) — chosen by auto",
        ]
        for entry in entries {
            let verdict = switch entry.verdict {
            case .chosen: "chosen"
            case .standby: "standby (for specs the chosen device cannot run, or failures with retries enabled)"
            case .skipped(let reason): "skipped: \(reason)"
            }
            lines.append("  \(entry.backend.padding(toLength: 9, withPad: " ", startingAt: 0)) \(entry.device) — \(verdict)")
        }
        return lines.joined(separator: "\n")
    }
}
