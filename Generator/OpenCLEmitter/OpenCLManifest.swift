import AttentionSpec

/// The manifest written next to a `.cl` file: enough for a C or C++ host to build the program,
/// create and fill the buffers, bind the arguments and enqueue the kernels, without Swift.
extension OpenCLKernelSource {
    public static let manifestFormat = "attentiongen-opencl-manifest/1"

    /// The manifest as JSON (print it with `prettyText()`: key-sorted, stable).
    public var manifest: JSONValue { manifest(sourceFile: nil) }

    /// The manifest naming the `.cl` file it belongs to.
    public func manifest(sourceFile: String?) -> JSONValue {
        var fields = fields
        if let sourceFile { fields["sourceFile"] = .string(sourceFile) }
        return .object(fields)
    }

    private var fields: [String: JSONValue] {
        [
            "format": .string(Self.manifestFormat),
            "language": .string("OpenCL C 1.2"),
            "buildOptions": .string(""),
            "spec": spec.jsonValue,
            "summary": .string(spec.summary),
            "constants": .object(Dictionary(uniqueKeysWithValues: configuration.defines.map { ($0.name, int($0.value)) })),
            "dtype": .string(spec.problem.dtype.rawValue),
            "strategy": configuration.strategy.manifestJSON,
            "mask": .object(["kind": .string(spec.mask.kind), "predicate": .string(configuration.mask.functionName)]),
            "kernels": .array(launches.map(\.manifestJSON)),
            "dispatch": .array(launches.map(\.dispatchJSON)),
            "dispatchNotes": .string(
                "Enqueue in this order on one in-order queue; no host synchronisation is needed in between. "
                    + "Read back output and lse after the last kernel."),
            "buffers": .array(buffers.map(\.manifestJSON)),
            "plan": planJSON,
        ]
    }

    /// Counts and the FlexAttention-style view of the visits: per query tile, the PARTIAL key
    /// tiles (`kvCount`, `kvIndices`) and the FULL ones (`fullCount`, `fullIndices`).
    private var planJSON: JSONValue {
        var partial: [[Int]] = []
        var full: [[Int]] = []
        for tile in 0..<(tables.visitOffsets.count - 1) {
            let pairs = Int(tables.visitOffsets[tile])..<Int(tables.visitOffsets[tile + 1])
            partial.append(pairs.filter { tables.visits[2 * $0 + 1] == 0 }.map { Int(tables.visits[2 * $0]) })
            full.append(pairs.filter { tables.visits[2 * $0 + 1] != 0 }.map { Int(tables.visits[2 * $0]) })
        }
        return .object([
            "queryTiles": int(plan.queryTiles), "keyTiles": int(plan.keyTiles),
            "visitsPerHead": int(plan.visitedTilePairs), "fullVisitsPerHead": int(plan.fullTilePairs),
            "partialVisitsPerHead": int(plan.partialTilePairs),
            "kvCount": ints(partial.map(\.count)), "kvIndices": .array(partial.map(ints)),
            "fullCount": ints(full.map(\.count)), "fullIndices": .array(full.map(ints)),
        ])
    }

    private func int(_ value: Int) -> JSONValue { .number(Double(value)) }
    private func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
}

extension OpenCLKernelLaunch {
    /// The kernel as manifests list it: arguments with what the host binds, sizes.
    public var manifestJSON: JSONValue {
        let launch = self
        return .object([
            "name": .string(launch.kernel),
            "arguments": .array(launch.arguments.enumerated().map { index, argument in
                var fields: [String: JSONValue] = ["index": int(index), "name": .string(argument.name), "type": .string(argument.type)]
                switch argument.value {
                case .buffer(let name): fields["buffer"] = .string(name)
                case .int(let value): fields["value"] = int(value)
                case .float(let value): fields["value"] = .number(Double(value))
                }
                return .object(fields)
            }),
            "localSize": ints([launch.localSize]),
            "workgroups": int(launch.workgroups),
            "workgroupFormula": .string(launch.workgroupFormula),
            "globalSize": ints([launch.globalSize]),
            "globalSizeFormula": .string("(\(launch.workgroupFormula)) * WG_SIZE"),
            "localMemoryBytes": int(launch.localMemoryBytes),
        ])
    }

    /// The launch in a manifest's dispatch list.
    public var dispatchJSON: JSONValue {
        .object(["kernel": .string(kernel), "globalSize": ints([globalSize]), "localSize": ints([localSize])])
    }

    private func int(_ value: Int) -> JSONValue { .number(Double(value)) }
    private func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
}

extension OpenCLBufferSpecification {
    public var manifestJSON: JSONValue {
        let buffer = self
        var fields: [String: JSONValue] = [
            "name": .string(buffer.name), "role": .string(buffer.role.rawValue), "elementType": .string(buffer.elementType.rawValue),
            "count": int(buffer.count), "bytes": int(buffer.byteCount), "description": .string(buffer.summary),
        ]
        if let shape = buffer.shape { fields["shape"] = ints(shape) }
        if let contents = buffer.contents { fields["data"] = ints(contents.map(Int.init)) }
        return .object(fields)
    }

    private func int(_ value: Int) -> JSONValue { .number(Double(value)) }
    private func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
}
