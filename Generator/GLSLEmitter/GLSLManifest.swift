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
            "bindings": .array(buffers.map(bindingJSON)),
            "pushConstants": .object([
                "size": int(4 * pushConstants.count),
                "stages": .string("COMPUTE"),
                "members": .array(pushConstants.map(pushJSON)),
            ]),
            "shaders": .array(shaders.map { shaderJSON($0, source: sourceFiles[$0.name], spirv: spirvFiles[$0.name]) }),
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

    private func bindingJSON(_ b: GLSLBufferBinding) -> JSONValue {
        var fields: [String: JSONValue] = [
            "binding": int(b.binding), "name": .string(b.name), "role": .string(b.role.rawValue),
            "elementType": .string(b.elementType), "glslType": .string(b.glslType), "count": int(b.count),
            "bytes": int(b.byteCount), "readonly": .bool(b.readOnly), "description": .string(b.summary),
            "usedBy": .array(shaders.filter { $0.bindings.contains(b.binding) }.map { .string($0.name) }),
        ]
        if let shape = b.shape { fields["shape"] = ints(shape) }
        if let contents = b.contents { fields["data"] = ints(contents.map(Int.init)) }
        return .object(fields)
    }

    private func pushJSON(_ c: GLSLPushConstant) -> JSONValue {
        let value: JSONValue = switch c.value {
        case .int(let v): int(v)
        case .float(let v): .number(Double(v))
        }
        return .object([
            "offset": int(c.offset), "type": .string(c.type), "name": .string(c.name), "value": value, "description": .string(c.comment),
        ])
    }

    private func shaderJSON(_ s: GLSLShader, source: String?, spirv: String?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(s.name),
            "entryPoint": .string("main"),
            "localSize": ints([s.localSize, 1, 1]),
            "workgroups": int(s.workgroups),
            "workgroupFormula": .string(s.workgroupFormula),
            "groupCount": ints(s.groupCount),
            "groupCountFormula": .string("x = min(N, 65535), y = ceil(N / x), z = 1 with N = \(s.workgroupFormula)"),
            "bindings": ints(s.bindings),
            "specializationConstants": .array(s.specializationConstants.map { c in
                .object(["id": int(c.id), "name": .string(c.name), "type": .string(c.type), "value": int(c.value),
                         "size": int(4), "description": .string(c.comment)])
            }),
            "sharedMemoryBytes": int(s.sharedMemoryBytes),
            "loopIterations": int(s.loopIterations),
        ]
        if let source { fields["sourceFile"] = .string(source) }
        if let spirv { fields["spirvFile"] = .string(spirv) }
        return .object(fields)
    }

    private func int(_ value: Int) -> JSONValue { .number(Double(value)) }
    private func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
}
