import ArgumentParser
import AttentionGen

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the OpenCL and Vulkan devices with their limits.",
        discussion: """
            Shows every platform and device the OpenCL ICD loader finds: compute units, work-group
            and local-memory limits, memory sizes, OpenCL C version and extensions. The index in the
            first column is what a device query such as `OpenCLBackend(device: .index(0))` selects.
            Without any OpenCL platform the list is empty and the reason is printed (exit status 0).
            Then the Vulkan devices: shared memory, work-group limits, subgroup size, float16/int8
            support, cooperative-matrix extension and the matrix shapes it lists (M×N×K with the A,
            B, C and result types and the scope), and whether the device is lavapipe (loop cap).
            Example:
              attngen devices
            With --explain, says which backend `auto` (or --backend / ATTNGEN_BACKEND) picks on this
            machine and why every other backend was skipped, then how the chosen backend would run a
            spec: the kernel strategy (work-group shape, micro-tile, K/V staging, row reduction, loop
            rolling), the tiling and each kernel's shared memory beside the device's limits. Without
            --spec the spec is dense attention over 4096 tokens, 8 heads × d64, float32:
              attngen devices --explain
              attngen devices --explain --backend vulkan --spec Kernels/specs/flash-d128.json
            """)

    @Flag(help: "Say which backend auto picks here, and why each other one was skipped.")
    var explain = false

    @Option(help: "With --explain: the request to explain (auto, cpu, opencl[:DEVICE], vulkan[:DEVICE]).")
    var backend = "auto"

    @Option(help: "With --explain: the spec whose kernel strategy to explain (default: dense, 4096 tokens, 8 heads × d64, f32).")
    var spec: String?

    @Flag(help: "Log the backend choice (swift-log, debug level, on stderr).")
    var verbose = false

    func validate() throws {
        guard spec == nil || explain else { throw ValidationError("--spec applies with --explain only") }
    }

    /// The spec `--explain` describes the kernels of.
    private func explainedSpec() throws -> AttentionSpec {
        guard let spec else { return try AttentionSpec.attention(heads: 8, headDim: 64, tokens: [4096]).validated() }
        return try SpecArgument.load(spec)
    }

    func run() throws {
        if explain {
            bootstrapLogging(verbose: verbose)
            let runtime = try AttentionRuntime(BackendRequest(parsing: backend))
            print(runtime.selection)
            print("")
            print(try runtime.backend.kernelChoice(for: try explainedSpec()))
            return
        }
        do {
            let platforms = try OpenCLDevices.platforms()
            let count = platforms.reduce(0) { $0 + $1.devices.count }
            print("OpenCL: \(platforms.count) platform\(platforms.count == 1 ? "" : "s"), \(count) device\(count == 1 ? "" : "s")")
            print(OpenCLDevices.report(), terminator: "")
        } catch {
            print("OpenCL: no platforms, no devices.")
            print("Reason: \(error)")
        }
        print("")
        print(VulkanDevices.report(), terminator: "")
    }
}
