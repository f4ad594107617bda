import AttentionSpec
import Foundation
import OpenCLEmitter

/// One spec's kernels built ahead of time (by `attngen package` or the AttentionKernels build
/// plugin): the spec; for Vulkan the manifest and the SPIR-V of every shader; for OpenCL the
/// program text and its manifest. The runtime runs it without generating anything (and, on
/// Vulkan, without compiling anything).
public struct KernelPackage: Sendable {
    public static let format = "attentiongen-kernel-package/1"
    /// File names end with this; `PrebuiltKernels` loads every such file of a folder or bundle.
    public static let fileSuffix = ".attnkernels.json"

    public let name: String
    public let spec: AttentionSpec
    public let vulkan: VulkanProgramLayout
    public let opencl: OpenCLProgramLayout
    /// The device assumptions the kernels were generated for (work-group size, shared memory).
    public let profile: String

    /// Reads a package; anything malformed is `AttentionError.invalidKernelPackage` naming the
    /// file and the field.
    public init(contentsOf url: URL) throws(AttentionError) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .invalidKernelPackage(file: url.lastPathComponent, reason: "cannot read the file")
        }
        try self.init(data: data, file: url.lastPathComponent)
    }

    /// Reads a package from its bytes; `file` names it in errors.
    public init(data: Data, file: String) throws(AttentionError) {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw .invalidKernelPackage(file: file, reason: "\(error)") }
        var reader = PackageReader(file: file)
        let format = try reader.string(root, "format")
        guard format == Self.format else {
            throw .invalidKernelPackage(file: file, reason: "format '\(format)' is not '\(Self.format)'; regenerate it with this version")
        }
        name = try reader.string(root, "name")
        profile = try reader.string(root, "profile")
        let specValue = try reader.field(root, "spec")
        do {
            spec = try AttentionSpec(json: Data(specValue.prettyText().utf8))
        } catch {
            throw .invalidKernelPackage(file: file, reason: "spec: \(error)")
        }
        vulkan = try reader.vulkanLayout(try reader.field(root, "vulkan"), spec: spec)
        opencl = try reader.openCLLayout(try reader.field(root, "opencl"), spec: spec)
    }
}

extension PackageReader {
    /// The OpenCL manifest's buffers and dispatch sequence, with the program text.
    func openCLLayout(_ opencl: JSONValue, spec: AttentionSpec) throws(AttentionError) -> OpenCLProgramLayout {
        let manifest = try field(opencl, "manifest")
        var buffers: [OpenCLProgramLayout.Buffer] = []
        for buffer in try array(manifest, "buffers") {
            let roleName = try string(buffer, "role")
            let typeName = try string(buffer, "elementType")
            guard let role = OpenCLBufferRole(rawValue: roleName) else { throw fail("buffer role '\(roleName)' is unknown") }
            guard let type = OpenCLElementType(rawValue: typeName) else { throw fail("buffer element type '\(typeName)' is unknown") }
            var contents: [Int32]?
            if case .object(let fields) = buffer, fields["data"] != nil {
                contents = try ints(buffer, "data").map { Int32(truncatingIfNeeded: $0) }
            }
            buffers.append(.init(name: try string(buffer, "name"), role: role, elementType: type, byteCount: try int(buffer, "bytes"), contents: contents))
        }
        var launches: [OpenCLProgramLayout.Launch] = []
        for kernel in try array(manifest, "kernels") {
            var arguments: [OpenCLArgumentValue] = []
            for argument in try array(kernel, "arguments") {
                if case .object(let fields) = argument, fields["buffer"] != nil {
                    arguments.append(.buffer(try string(argument, "buffer")))
                } else if try string(argument, "type").contains("float") {
                    guard case .number(let value) = try field(argument, "value") else { throw fail("argument value must be a number") }
                    arguments.append(.float(Float(value)))
                } else {
                    arguments.append(.int(try int(argument, "value")))
                }
            }
            launches.append(.init(
                kernel: try string(kernel, "name"), arguments: arguments, globalSize: try ints(kernel, "globalSize").first ?? 0,
                localSize: try ints(kernel, "localSize").first ?? 1, localMemoryBytes: try int(kernel, "localMemoryBytes")))
        }
        var layout = OpenCLProgramLayout(spec: spec, programText: try string(opencl, "program"), buffers: buffers, launches: launches)
        layout.strategy = try string(try field(manifest, "strategy"), "compact")
        return layout
    }
}

/// Field access with errors that name the file and the path of the bad field.
struct PackageReader {
    let file: String

    func fail(_ reason: String) -> AttentionError { .invalidKernelPackage(file: file, reason: reason) }

    func field(_ value: JSONValue, _ key: String) throws(AttentionError) -> JSONValue {
        guard case .object(let fields) = value, let found = fields[key] else { throw fail("missing field '\(key)'") }
        return found
    }

    func string(_ value: JSONValue, _ key: String) throws(AttentionError) -> String {
        guard case .string(let text) = try field(value, key) else { throw fail("'\(key)' must be a string") }
        return text
    }

    func int(_ value: JSONValue, _ key: String) throws(AttentionError) -> Int {
        guard case .number(let number) = try field(value, key), let exact = Int(exactly: number) else {
            throw fail("'\(key)' must be an integer")
        }
        return exact
    }

    func array(_ value: JSONValue, _ key: String) throws(AttentionError) -> [JSONValue] {
        guard case .array(let items) = try field(value, key) else { throw fail("'\(key)' must be an array") }
        return items
    }

    func ints(_ value: JSONValue, _ key: String) throws(AttentionError) -> [Int] {
        try array(value, key).map { (item) throws(AttentionError) -> Int in
            guard case .number(let number) = item, let exact = Int(exactly: number) else { throw fail("'\(key)' must hold integers") }
            return exact
        }
    }

    /// The GLSL manifest's bindings, push constants and shaders, with the SPIR-V from `spirv`.
    mutating func vulkanLayout(_ vulkan: JSONValue, spec: AttentionSpec) throws(AttentionError) -> VulkanProgramLayout {
        let manifest = try field(vulkan, "manifest")
        let spirv = try field(vulkan, "spirv")
        var buffers: [VulkanProgramLayout.Buffer] = []
        for binding in try array(manifest, "bindings") {
            var contents: [Int32]?
            if case .object(let fields) = binding, fields["data"] != nil {
                contents = try ints(binding, "data").map { Int32(truncatingIfNeeded: $0) }
            }
            buffers.append(.init(
                binding: try int(binding, "binding"), name: try string(binding, "name"), role: try string(binding, "role"),
                elementType: try string(binding, "elementType"), byteCount: try int(binding, "bytes"), contents: contents))
        }
        var push: [VulkanProgramLayout.PushValue] = []
        for member in try array(try field(manifest, "pushConstants"), "members") {
            let type = try string(member, "type")
            guard case .number(let value) = try field(member, "value") else { throw fail("push constant value must be a number") }
            push.append(type == "float" ? .float(Float(value)) : .int(Int(value)))
        }
        var shaders: [VulkanProgramLayout.Shader] = []
        for shader in try array(manifest, "shaders") {
            let name = try string(shader, "name")
            let encoded = try string(spirv, name)
            guard let bytes = Data(base64Encoded: encoded), bytes.count % 4 == 0, !bytes.isEmpty else {
                throw fail("spirv.\(name) is not base64 of whole 32-bit words")
            }
            let words = bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
            guard words.first == 0x0723_0203 else { throw fail("spirv.\(name) does not start with the SPIR-V magic number") }
            shaders.append(.init(
                name: name, spirv: words, groupCount: try ints(shader, "groupCount"), localSize: try ints(shader, "localSize").first ?? 1,
                sharedMemoryBytes: try int(shader, "sharedMemoryBytes"), loopIterations: try int(shader, "loopIterations")))
        }
        var layout = VulkanProgramLayout(spec: spec, buffers: buffers, pushConstants: push, shaders: shaders)
        layout.strategy = try string(try field(manifest, "strategy"), "compact")
        return layout
    }
}
