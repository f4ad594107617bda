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

    /// `glslangValidator -V --target-env TARGET source -o spirv`, from `PATH` or the folder `tools`
    /// (e.g. a glslang 13+ for `GL_KHR_cooperative_matrix`).
    public static func compile(source: URL, to spirv: URL, tools: String? = nil, target: String = "vulkan1.1") throws(GLSLToolError) {
        try run(compiler, ["-V", "--target-env", target, source.path, "-o", spirv.path], file: source.path, tools: tools)
    }

    /// `spirv-val --target-env TARGET spirv`, from `PATH` or the folder `tools`.
    public static func validate(spirv: URL, tools: String? = nil, target: String = "vulkan1.1") throws(GLSLToolError) {
        try run(validator, ["--target-env", target, spirv.path], file: spirv.path, tools: tools)
    }

    private static func run(_ tool: String, _ arguments: [String], file: String, tools: String?) throws(GLSLToolError) {
        let found = tools.map { "\($0)/\(tool)" }.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
        guard let executable = tools == nil ? locate(tool) : found else {
            throw .toolMissing(tool: tool, path: tools ?? ProcessInfo.processInfo.environment["PATH"] ?? "")
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
