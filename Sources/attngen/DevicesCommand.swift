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
            support, cooperative-matrix extension, and whether the device is lavapipe (loop cap).
            Example:
              attngen devices
            With --explain, says which backend `auto` (or --backend / ATTNGEN_BACKEND) picks on this
            machine and why every other backend was skipped:
              attngen devices --explain
            """)

    @Flag(help: "Say which backend auto picks here, and why each other one was skipped.")
    var explain = false

    @Option(help: "With --explain: the request to explain (auto, cpu, opencl[:DEVICE], vulkan[:DEVICE]).")
    var backend = "auto"

    @Flag(help: "Log the backend choice (swift-log, debug level, on stderr).")
    var verbose = false

    func run() throws {
        if explain {
            bootstrapLogging(verbose: verbose)
            print(try AttentionRuntime(BackendRequest(parsing: backend)).selection)
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
