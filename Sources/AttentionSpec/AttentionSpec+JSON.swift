import AttentionTensors
import Foundation

/// The JSON spec file format (docs/spec-format.md): `problem`, `mask`, optional `tiling` and
/// `schedule`. Decoding names the offending field; `validated()` then checks the values.
extension AttentionSpec {
    /// Parses and validates a spec file's contents.
    public init(json data: Data) throws(SpecError) {
        let root = try JSONReader(JSONValue.parse(data), path: "")
        try root.rejectUnknown(allowed: ["problem", "mask", "tiling", "schedule", "scores"])
        let problem = try AttentionProblem(root.object("problem"))
        let mask = try AttentionMask(root.object("mask"))
        let tiling = root.has("tiling") ? try Tiling(root.object("tiling")) : nil
        let schedule = root.has("schedule") ? try Schedule(root.object("schedule")) : .flash
        let scores = root.has("scores") ? try ScoreModifiers(root.object("scores"), heads: problem.heads) : .none
        self.init(problem: problem, mask: mask, tiling: tiling, schedule: schedule, scores: scores)
        try validate()
    }

    /// Reads and validates a spec file.
    public init(contentsOf url: URL) throws(SpecError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .invalidValue(field: "spec file", value: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(json: data)
    }

    /// The spec as a JSON value in the file format (every field explicit).
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [
            "problem": problem.jsonValue, "mask": mask.jsonValue,
            "tiling": .object(["queryTile": .ints(tiling.queryTile), "keyTile": .ints(tiling.keyTile)]),
            "schedule": schedule.jsonValue,
        ]
        if !scores.isEmpty { fields["scores"] = scores.jsonValue }
        return .object(fields)
    }

    /// Pretty, key-sorted JSON text: stable for the same spec.
    public var jsonText: String { jsonValue.prettyText() }
}

extension JSONValue {
    static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
    static func int(_ value: Int) -> JSONValue { .number(Double(value)) }
}

extension AttentionProblem {
    init(_ json: JSONReader) throws(SpecError) {
        try json.rejectUnknown(allowed: [
            "batch", "heads", "kvHeads", "headDim", "valueDim", "queryShape", "keyShape", "dtype", "scale", "pages", "outputDtype",
        ])
        func elementType(_ key: String) throws(SpecError) -> ElementType {
            let name = json.has(key) ? try json.string(key) : "float32"
            guard let type = ElementType(rawValue: name) else {
                throw .unknownKind(field: json.name(key), value: name, known: ElementType.allCases.map(\.rawValue))
            }
            return type
        }
        let dtype = try elementType("dtype")
        self.init(
            batch: json.has("batch") ? try json.int("batch") : 1,
            heads: try json.int("heads"),
            kvHeads: json.has("kvHeads") ? try json.int("kvHeads") : nil,
            headDim: try json.int("headDim"),
            valueDim: json.has("valueDim") ? try json.int("valueDim") : nil,
            queryShape: try json.ints("queryShape"),
            keyShape: json.has("keyShape") ? try json.ints("keyShape") : nil,
            dtype: dtype,
            scale: json.has("scale") ? try json.double("scale") : nil,
            pages: json.has("pages") ? try KeyValuePages(json.object("pages")) : nil,
            outputDtype: try elementType("outputDtype"))
    }

    var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [
            "batch": .int(batch), "heads": .int(heads), "kvHeads": .int(kvHeads), "headDim": .int(headDim),
            "valueDim": .int(valueDim), "queryShape": .ints(queryShape), "keyShape": .ints(keyShape),
            "dtype": .string(dtype.rawValue),
        ]
        if let scale { fields["scale"] = .number(scale) }
        if outputDtype != .float32 { fields["outputDtype"] = .string(outputDtype.rawValue) }
        if let pages {
            fields["pages"] = .object([
                "pageSize": .int(pages.pageSize), "pageCount": .int(pages.pageCount),
                "pageTable": .array(pages.pageTable.map { .ints($0) }),
            ])
        }
        return .object(fields)
    }
}

extension AttentionMask {
    static let kinds = ["dense", "causal", "slidingWindow", "neighborhood", "blockSparse", "varlen"]

    init(_ json: JSONReader) throws(SpecError) {
        let kind = try json.string("kind")
        switch kind {
        case "dense":
            try json.rejectUnknown(allowed: ["kind"])
            self = .dense
        case "causal":
            try json.rejectUnknown(allowed: ["kind"])
            self = .causal
        case "slidingWindow":
            try json.rejectUnknown(allowed: ["kind", "left", "right"])
            self = .slidingWindow(
                left: json.has("left") ? try json.int("left") : -1,
                right: json.has("right") ? try json.int("right") : -1)
        case "neighborhood":
            try json.rejectUnknown(allowed: ["kind", "window", "stride", "dilation", "causal"])
            self = try .neighborhood(
                window: json.ints("window"),
                stride: json.has("stride") ? try json.ints("stride") : nil,
                dilation: json.has("dilation") ? try json.ints("dilation") : nil,
                causal: json.has("causal") ? try json.bools("causal") : nil)
        case "blockSparse":
            try json.rejectUnknown(allowed: [
                "kind", "queryBlock", "keyBlock", "kvCount", "kvIndices", "fullCount", "fullIndices", "causal",
            ])
            let kvIndices = try json.intRows("kvIndices")
            let fullIndices = json.has("fullIndices") ? try json.intRows("fullIndices") : []
            // The counts are FlexAttention's redundant companions of the index lists: when given they must agree.
            for (countKey, rows) in [("kvCount", kvIndices), ("fullCount", fullIndices)] where json.has(countKey) {
                let counts = try json.ints(countKey)
                guard counts == rows.map(\.count) else {
                    throw .invalidValue(
                        field: json.name(countKey), value: "\(counts)",
                        reason: "disagrees with the index lists' lengths \(rows.map(\.count))")
                }
            }
            self = .blockSparse(BlockSparseLayout(
                queryBlock: try json.ints("queryBlock"), keyBlock: try json.ints("keyBlock"),
                kvIndices: kvIndices, fullIndices: fullIndices,
                causal: json.has("causal") ? try json.bool("causal") : false))
        case "varlen":
            try json.rejectUnknown(allowed: ["kind", "queryOffsets", "keyOffsets", "queryLengths", "keyLengths", "causal", "left", "right"])
            self = .varlen(try VariableLengths(json))
        default:
            throw .unknownKind(field: json.name("kind"), value: kind, known: Self.kinds)
        }
    }

    var jsonValue: JSONValue {
        switch self {
        case .dense, .causal:
            return .object(["kind": .string(kind)])
        case .slidingWindow(let left, let right):
            return .object(["kind": .string(kind), "left": .int(left), "right": .int(right)])
        case .neighborhood(let axes):
            return .object([
                "kind": .string(kind), "window": .ints(axes.map(\.window)), "stride": .ints(axes.map(\.stride)),
                "dilation": .ints(axes.map(\.dilation)), "causal": .array(axes.map { .bool($0.causal) }),
            ])
        case .varlen(let lengths):
            return .object([
                "kind": .string(kind), "queryOffsets": .ints(lengths.queryOffsets), "keyOffsets": .ints(lengths.keyOffsets),
                "left": .int(lengths.left), "right": .int(lengths.right),
            ])
        case .blockSparse(let layout):
            var fields: [String: JSONValue] = [
                "kind": .string(kind), "queryBlock": .ints(layout.queryBlock), "keyBlock": .ints(layout.keyBlock),
                "kvCount": .ints(layout.kvIndices.map(\.count)), "kvIndices": .array(layout.kvIndices.map { .ints($0) }),
                "causal": .bool(layout.causal),
            ]
            if !layout.fullIndices.isEmpty {
                fields["fullCount"] = .ints(layout.fullIndices.map(\.count))
                fields["fullIndices"] = .array(layout.fullIndices.map { .ints($0) })
            }
            return .object(fields)
        }
    }
}

extension KeyValuePages {
    /// `{"pageSize": 64, "pageCount": 512, "pageTable": [[3, 0, 7], [1, 2]]}`.
    init(_ json: JSONReader) throws(SpecError) {
        try json.rejectUnknown(allowed: ["pageSize", "pageCount", "pageTable"])
        self.init(pageSize: try json.int("pageSize"), pageCount: try json.int("pageCount"), pageTable: try json.intRows("pageTable"))
    }
}

extension VariableLengths {
    /// Offsets (`queryOffsets`, `keyOffsets`, FlashAttention's `cu_seqlens`) or lengths
    /// (`queryLengths`, `keyLengths`), not both; the window as `left`/`right` (default −1) or
    /// `"causal": true` (right 0).
    init(_ json: JSONReader) throws(SpecError) {
        func offsets(_ offsetsKey: String, _ lengthsKey: String) throws(SpecError) -> [Int] {
            switch (json.has(offsetsKey), json.has(lengthsKey)) {
            case (true, false): return try json.ints(offsetsKey)
            case (false, true): return Self.offsets(try json.ints(lengthsKey))
            case (true, true):
                throw .invalidValue(field: json.name(lengthsKey), value: "…", reason: "give \(offsetsKey) or \(lengthsKey), not both")
            case (false, false): throw .missingField(field: json.name(offsetsKey))
            }
        }
        var right = json.has("right") ? try json.int("right") : -1
        if json.has("causal"), try json.bool("causal") {
            guard !json.has("right") || right == 0 else {
                throw .invalidValue(field: json.name("right"), value: "\(right)", reason: "a causal window has right = 0")
            }
            right = 0
        }
        self.init(
            queryOffsets: try offsets("queryOffsets", "queryLengths"), keyOffsets: try offsets("keyOffsets", "keyLengths"),
            left: json.has("left") ? try json.int("left") : -1, right: right)
    }
}

extension ScoreModifiers {
    /// `{"softcap": 30, "alibiSlopes": [0.5, 0.25] | "geometric", "bias": {"perBatch": false,
    /// "perHead": true}}`; `"geometric"` stands for `geometricSlopes(heads:)`.
    init(_ json: JSONReader, heads: Int) throws(SpecError) {
        try json.rejectUnknown(allowed: ["softcap", "alibiSlopes", "bias"])
        self.init()
        if json.has("softcap") { softcap = try json.double("softcap") }
        if json.has("bias") {
            let bias = try json.object("bias")
            try bias.rejectUnknown(allowed: ["perBatch", "perHead"])
            self.bias = ScoreBias(
                perBatch: bias.has("perBatch") ? try bias.bool("perBatch") : false, perHead: bias.has("perHead") ? try bias.bool("perHead") : true)
        }
        guard json.has("alibiSlopes") else { return }
        if case .string = try json.value("alibiSlopes") {
            let name = try json.string("alibiSlopes")
            guard name == "geometric" else {
                throw .unknownKind(field: json.name("alibiSlopes"), value: name, known: ["geometric (or an array of numbers)"])
            }
            alibiSlopes = Self.geometricSlopes(heads: heads)
        } else {
            alibiSlopes = try json.doubles("alibiSlopes")
        }
    }

    var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [:]
        if let softcap { fields["softcap"] = .number(softcap) }
        if let alibiSlopes { fields["alibiSlopes"] = .array(alibiSlopes.map { .number($0) }) }
        if let bias { fields["bias"] = .object(["perBatch": .bool(bias.perBatch), "perHead": .bool(bias.perHead)]) }
        return .object(fields)
    }
}

extension Tiling {
    init(_ json: JSONReader) throws(SpecError) {
        try json.rejectUnknown(allowed: ["queryTile", "keyTile"])
        self.init(queryTile: try json.ints("queryTile"), keyTile: try json.ints("keyTile"))
    }
}

extension Schedule {
    init(_ json: JSONReader) throws(SpecError) {
        let kind = try json.string("kind")
        switch kind {
        case "flash":
            try json.rejectUnknown(allowed: ["kind"])
            self = .flash
        case "splitKV":
            try json.rejectUnknown(allowed: ["kind", "splits"])
            self = .splitKV(splits: try json.int("splits"))
        case "lean":
            try json.rejectUnknown(allowed: ["kind", "workgroups"])
            self = .lean(workgroups: try json.int("workgroups"))
        default:
            throw .unknownKind(field: json.name("kind"), value: kind, known: ["flash", "splitKV", "lean"])
        }
    }

    var jsonValue: JSONValue {
        switch self {
        case .flash: .object(["kind": .string(kind)])
        case .splitKV(let splits): .object(["kind": .string(kind), "splits": .int(splits)])
        case .lean(let workgroups): .object(["kind": .string(kind), "workgroups": .int(workgroups)])
        }
    }
}
