import ArgumentParser
import AttentionGen
import Foundation
import Logging

/// `--backend`, `--retry-on-failure` and `--verbose`, shared by the commands that run attention.
struct BackendArguments: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Backend: auto, cpu, reference, opencl[:DEVICE], vulkan[:DEVICE]. auto honours \(BackendRequest.environmentVariable).",
        valueName: "backend"))
    var backend = "auto"

    @Flag(help: "If the device fails while running, retry on the next backend of the selection (and say so).")
    var retryOnFailure = false

    @Flag(help: "Log the backend choice and retries (swift-log, debug level, on stderr).")
    var verbose = false

    @Option(help: ArgumentHelp(
        "A folder of kernel packages (NAME.attnkernels.json from `attngen package`); a spec that matches one runs from it.",
        valueName: "folder"))
    var kernels: String?

    /// Opens the runtime; a forced backend that cannot open is an error, not a switch.
    func runtime() throws -> AttentionRuntime {
        bootstrapLogging(verbose: verbose)
        let packages = try kernels.map { try PrebuiltKernels(folder: URL(fileURLWithPath: $0)) }
        return try AttentionRuntime(
            BackendRequest(parsing: backend), failurePolicy: retryOnFailure ? .retryOnNextBackend : .raise, kernels: packages)
    }
}

/// Routes swift-log to stderr once per process: debug level with `--verbose`, warnings otherwise
/// (so a retry on another backend is always reported).
func bootstrapLogging(verbose: Bool) {
    LoggingBootstrap.once(level: verbose ? .debug : .warning)
}

private enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    static func once(level: Logger.Level) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
