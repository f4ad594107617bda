import AttentionSpec

/// The manifest written next to the `.comp` files: enough for any Vulkan engine to create the
/// buffers, the descriptor-set and pipeline layouts and the pipelines, push the constants and
/// record the dispatches, without Swift.
extension GLSLKernelSource {
    public static let manifestFormat = "attentiongen-glsl-manifest/1"

    /// The manifest as JSON (print it with `prettyText()`: key-sorted, stable).
    public var manifest: JSONValue { manifest(sourceFiles: [:]) }

    /// The manifest naming the file of each shader (kernel name -> file name; SPIR-V files too).
    public func manifest(sourceFiles: [String: String], spirvFiles: [String: String] = [:]) -> JSONValue {
        .object([
            "format": .string(Self.manifestFormat),
            "language": .string("GLSL 450 compute (Vulkan 1.1, SPIR-V 1.3); entry point main"),
            "compile": .string("glslangValidator -V --target-env vulkan1.1 FILE.comp -o FILE.spv"),
            "spec": spec.jsonValue,
            "summary": .string(spec.summary),
            "dtype": .string(spec.problem.dtype.rawValue),
            "sixteenBitStorage": .bool(configuration.sixteenBitStorage),
            "requiredFeatures": .array(configuration.sixteenBitStorage ? [.string("storageBuffer16BitAccess")] : []),
            "constants": .object(Dictionary(uniqueKeysWithValues: configuration.constants.map { ($0.name, int($0.value)) })),
            "strategy": configuration.strategy.manifestJSON,
            "mask": .object(["kind": .string(spec.mask.kind), "predicate": .string(configuration.mask.functionName)]),
            "descriptorSet": int(0),
            "planTables": .array(planLayout.map { table in
                .object(["pushConstant": .string(table.name), "offset": int(table.base), "count": int(table.count),
                         "description": .string(table.summary)])
            }),
            "bindings": .array(buffers.map { $0.manifestJSON(usedBy: shaders) }),
            "pushConstants": .object([
                "size": int(4 * pushConstants.count),
                "stages": .string("COMPUTE"),
                "members": .array(pushConstants.map(\.manifestJSON)),
            ]),
            "shaders": .array(shaders.map { $0.manifestJSON(source: sourceFiles[$0.name], spirv: spirvFiles[$0.name]) }),
            "dispatch": .array(shaders.map { shader in
                .object(["shader": .string(shader.name), "groupCount": ints(shader.groupCount)])
            }),
            "dispatchNotes": .string(
                "One descriptor set with every binding and one pipeline layout (the push-constant range above) serve all shaders. "
                    + "Push the constants, then dispatch in this order in one command buffer, with a compute-to-compute "
                    + "buffer memory barrier (SHADER_WRITE -> SHADER_READ) between dispatches; read back output and lse after the last."),
            "loopIterations": .object([
                "perInvocation": int(loopIterationEstimate()),
                "lavapipeCap": int(Self.lavapipeLoopIterationCap),
                "note": .string(options.unrollTileLoops
                    ? "worst case after [[unroll]] loops are unrolled; lavapipe silently stops an invocation past the cap"
                    : "worst case with every tile loop as a real loop; lavapipe silently stops an invocation past the cap"),
            ]),
        ])
    }

    private func int(_ value: Int) -> JSONValue { .number(Double(value)) }
    private func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
}

extension GLSLBufferBinding {
    /// The binding as manifests list it; `usedBy`: the program's shaders.
    public func manifestJSON(usedBy shaders: [GLSLShader]) -> JSONValue {
        let b = self
        var fields: [String: JSONValue] = [
            "binding": manifestInt(b.binding), "name": .string(b.name), "role": .string(b.role.rawValue),
            "elementType": .string(b.elementType), "glslType": .string(b.glslType), "count": manifestInt(b.count),
            "bytes": manifestInt(b.byteCount), "readonly": .bool(b.readOnly), "description": .string(b.summary),
            "usedBy": .array(shaders.filter { $0.bindings.contains(b.binding) }.map { .string($0.name) }),
        ]
        if let shape = b.shape { fields["shape"] = manifestInts(shape) }
        if let contents = b.contents { fields["data"] = manifestInts(contents.map(Int.init)) }
        return .object(fields)
    }
}

extension GLSLPushConstant {
    public var manifestJSON: JSONValue {
        let c = self
        let value: JSONValue = switch c.value {
        case .int(let v): manifestInt(v)
        case .float(let v): .number(Double(v))
        }
        return .object([
            "offset": manifestInt(c.offset), "type": .string(c.type), "name": .string(c.name), "value": value, "description": .string(c.comment),
        ])
    }
}

extension GLSLShader {
    /// The shader as manifests list it, naming its source and SPIR-V files.
    public func manifestJSON(source: String?, spirv: String?) -> JSONValue {
        let s = self
        var fields: [String: JSONValue] = [
            "name": .string(s.name),
            "entryPoint": .string("main"),
            "localSize": manifestInts([s.localSize, 1, 1]),
            "workgroups": manifestInt(s.workgroups),
            "workgroupFormula": .string(s.workgroupFormula),
            "groupCount": manifestInts(s.groupCount),
            "groupCountFormula": .string("x = min(N, 65535), y = ceil(N / x), z = 1 with N = \(s.workgroupFormula)"),
            "bindings": manifestInts(s.bindings),
            "specializationConstants": .array(s.specializationConstants.map { c in
                .object(["id": manifestInt(c.id), "name": .string(c.name), "type": .string(c.type), "value": manifestInt(c.value),
                         "size": manifestInt(4), "description": .string(c.comment)])
            }),
            "sharedMemoryBytes": manifestInt(s.sharedMemoryBytes),
            "loopIterations": manifestInt(s.loopIterations),
        ]
        if let source { fields["sourceFile"] = .string(source) }
        if let spirv { fields["spirvFile"] = .string(spirv) }
        return .object(fields)
    }
}

func manifestInt(_ value: Int) -> JSONValue { .number(Double(value)) }
func manifestInts(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
