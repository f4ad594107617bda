import Foundation

/// Why a command-line shader tool could not do its job.
public enum GLSLToolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tool is not installed (not found on `PATH`).
    case toolMissing(tool: String, path: String)
    /// The tool ran and failed; `output` is what it printed.
    case failed(tool: String, file: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .toolMissing(let tool, let path):
            "\(tool) is not installed (searched PATH: \(path)); install glslang-tools and spirv-tools (scripts/setup.sh)"
        case .failed(let tool, let file, let status, let output):
            "\(tool) failed on \(file) with status \(status):\n\(output)"
        }
    }
}

/// The command-line compiler and validator (`glslangValidator`, `spirv-val`), used until the
/// in-process glslang compiler is available, and by the tests.
public enum GLSLCommandLineTools {
    public static let compiler = "glslangValidator"
    public static let validator = "spirv-val"

    /// The tool's absolute path on `PATH`, or nil.
    public static func locate(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `glslangValidator -V --target-env vulkan1.1 source -o spirv`.
    public static func compile(source: URL, to spirv: URL) throws(GLSLToolError) {
        try run(compiler, ["-V", "--target-env", "vulkan1.1", source.path, "-o", spirv.path], file: source.path)
    }

    /// `spirv-val --target-env vulkan1.1 spirv`.
    public static func validate(spirv: URL) throws(GLSLToolError) {
        try run(validator, ["--target-env", "vulkan1.1", spirv.path], file: spirv.path)
    }

    private static func run(_ tool: String, _ arguments: [String], file: String) throws(GLSLToolError) {
        guard let executable = locate(tool) else {
            throw .toolMissing(tool: tool, path: ProcessInfo.processInfo.environment["PATH"] ?? "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw .failed(tool: tool, file: file, status: -1, output: "\(error)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .failed(tool: tool, file: file, status: process.terminationStatus, output: output)
        }
    }
}
