import AttentionSpec
import Foundation
import Testing

@Suite struct ValidationTests {
    private func json(problem: String = #""heads": 4, "headDim": 32, "queryShape": [16, 16]"#, mask: String = #""kind": "dense""#, rest: String = "") -> Data {
        Data("{\"problem\": {\(problem)}, \"mask\": {\(mask)}\(rest)}".utf8)
    }

    /// Parses `data`, expecting a `SpecError` whose message names `field` (and `value` if given).
    private func expectError(_ data: Data, field: String, value: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let spec = try AttentionSpec(json: data)
            Issue.record("expected an error naming \(field), got a valid spec \(spec.summary)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.contains(field), "\(error)", sourceLocation: sourceLocation)
            if let value { #expect(error.description.contains(value), "\(error)", sourceLocation: sourceLocation) }
        }
    }

    @Test func neighborhoodErrors() {
        let nb = { (extra: String) in #""kind": "neighborhood", "# + extra }
        expectError(json(mask: nb(#""window": [17, 3]"#)), field: "mask.window[0]", value: "17")
        expectError(json(mask: nb(#""window": [5, 5], "dilation": [1, 4]"#)), field: "mask.dilation[1]", value: "4")
        expectError(json(mask: nb(#""window": [5, 5], "stride": [0, 1]"#)), field: "mask.stride[0]", value: "0")
        expectError(json(mask: nb(#""window": [5, 5], "stride": [1, 6]"#)), field: "mask.stride[1]", value: "6")
        expectError(json(mask: nb(#""window": [5, 5], "dilation": [0, 1]"#)), field: "mask.dilation[0]", value: "0")
        expectError(json(mask: nb(#""window": [0, 5]"#)), field: "mask.window[0]", value: "0")
        expectError(json(mask: nb(#""window": [5]"#)), field: "mask.window")
        expectError(json(mask: nb(#""window": [5, 5], "causal": [true]"#)), field: "mask.causal")
        expectError(
            json(problem: #""heads": 4, "headDim": 32, "queryShape": [16, 16], "keyShape": [16, 8]"#, mask: nb(#""window": [3, 3]"#)),
            field: "problem.keyShape")
    }

    @Test func problemErrors() {
        expectError(json(problem: #""heads": 6, "kvHeads": 4, "headDim": 32, "queryShape": [16]"#), field: "problem.kvHeads", value: "4")
        expectError(json(problem: #""heads": 0, "headDim": 32, "queryShape": [16]"#), field: "problem.heads", value: "0")
        expectError(json(problem: #""heads": 2, "headDim": -3, "queryShape": [16]"#), field: "problem.headDim", value: "-3")
        expectError(json(problem: #""heads": 2, "batch": 0, "headDim": 8, "queryShape": [16]"#), field: "problem.batch")
        expectError(json(problem: #""heads": 2, "headDim": 8, "valueDim": 0, "queryShape": [16]"#), field: "problem.valueDim")
        expectError(json(problem: #""heads": 2, "headDim": 8, "queryShape": [16, 0]"#), field: "problem.queryShape[1]", value: "0")
        expectError(json(problem: #""heads": 2, "headDim": 8, "queryShape": [16], "keyShape": [4, 4]"#), field: "problem.keyShape")
        expectError(json(problem: #""heads": 2, "headDim": 8, "queryShape": [2, 2, 2, 2]"#), field: "problem.queryShape")
        expectError(json(problem: #""heads": 2, "headDim": 8, "queryShape": [16], "dtype": "int8""#), field: "problem.dtype", value: "int8")
        expectError(json(problem: #""heads": 2, "headDim": 8, "queryShape": [16], "scale": 0"#), field: "problem.scale")
        expectError(json(problem: #""heads": 2, "headDim": 8.5, "queryShape": [16]"#), field: "problem.headDim", value: "8.5")
        expectError(json(problem: #""heads": "two", "headDim": 8, "queryShape": [16]"#), field: "problem.heads")
        expectError(json(problem: #""headDim": 8, "queryShape": [16]"#), field: "problem.heads")
        expectError(json(problem: #""heads": 2, "heeds": 2, "headDim": 8, "queryShape": [16]"#), field: "problem.heeds")
        expectError(
            json(problem: #""heads": 2, "headDim": 1048576, "batch": 1048576, "queryShape": [1048576]"#), field: "problem")
    }

    /// Values that once trapped (overflowing products) or gave NaN (a scale float32 cannot carry).
    @Test func extremeValuesAreTypedErrors() {
        expectError(json(problem: #""heads": 2, "headDim": 8, "queryShape": [16], "scale": 1e38"#), field: "problem.scale", value: "1e+38")
        expectError(json(problem: #""heads": 2, "headDim": 8, "queryShape": [16], "scale": 1e-50"#), field: "problem.scale")
        expectError(
            json(problem: #""heads": 2, "headDim": 8, "queryShape": [16]"#,
                 mask: #""kind": "neighborhood", "window": [3], "dilation": [4611686018427387904]"#),
            field: "mask.dilation[0]")
        expectError(
            json(problem: #""heads": 1, "headDim": 1, "queryShape": [549755813888], "keyShape": [549755813888]"#), field: "problem")
    }

    @Test func maskScheduleAndTilingErrors() {
        expectError(json(mask: #""kind": "diagonal""#), field: "mask.kind", value: "diagonal")
        expectError(json(mask: #""kind": "slidingWindow", "left": -2"#), field: "mask.left", value: "-2")
        expectError(json(rest: #", "schedule": {"kind": "stream"}"#), field: "schedule.kind", value: "stream")
        expectError(json(rest: #", "schedule": {"kind": "splitKV", "splits": 0}"#), field: "schedule.splits", value: "0")
        expectError(json(rest: #", "schedule": {"kind": "lean", "workgroups": -1}"#), field: "schedule.workgroups", value: "-1")
        expectError(json(rest: #", "schedule": {"kind": "lean"}"#), field: "schedule.workgroups")
        expectError(json(rest: #", "tiling": {"queryTile": [8], "keyTile": [8, 8]}"#), field: "tiling.queryTile")
        expectError(json(rest: #", "tiling": {"queryTile": [8, 0], "keyTile": [8, 8]}"#), field: "tiling.queryTile[1]")
        expectError(json(rest: #", "colour": "blue""#), field: "colour")
    }

    @Test func blockSparseErrors() {
        let p = #""heads": 1, "headDim": 8, "queryShape": [8], "keyShape": [8]"#
        let bs = { (extra: String) in #""kind": "blockSparse", "queryBlock": [4], "keyBlock": [4], "# + extra }
        expectError(json(problem: p, mask: bs(#""kvIndices": [[0]]"#)), field: "mask.kvIndices", value: "1 rows")
        expectError(json(problem: p, mask: bs(#""kvIndices": [[0], [2]]"#)), field: "mask.kvIndices[1][0]", value: "2")
        expectError(json(problem: p, mask: bs(#""kvIndices": [[0], [1]], "kvCount": [1, 2]"#)), field: "mask.kvCount")
        expectError(
            json(problem: p, mask: bs(#""kvIndices": [[0], []], "fullIndices": [[], [0, 1]], "causal": true"#)),
            field: "mask.fullIndices[1][1]", value: "1")
    }

    @Test func malformedJSONGivesLineAndColumn() {
        do {
            _ = try AttentionSpec(json: Data("{\"problem\": {\n  \"heads\": 4,\n  \"headDim\": ,\n}}".utf8))
            Issue.record("expected a JSON error")
        } catch {
            guard case .malformedJSON(_, let line, let column) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(line == 3)
            #expect(column != nil)
            #expect(error.description.contains("line 3"))
        }
    }
}

/// Parses `data`, expecting a `SpecError` whose message names `field` and `value`.
private func expectSpecError(_ data: Data, field: String, value: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let spec = try AttentionSpec(json: data)
        Issue.record("expected an error naming \(field), got \(spec.summary)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.description.contains(field) && error.description.contains(value), "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct ScoreModifierSpecTests {
    private func json(_ scores: String, queryShape: String = "[16]") -> Data {
        Data(#"{"problem": {"heads": 4, "headDim": 32, "queryShape": \#(queryShape)}, "mask": {"kind": "causal"}, "scores": {\#(scores)}}"#.utf8)
    }

    @Test func aBiasRoundTripsWithItsBroadcastShape() throws {
        let spec = try AttentionSpec(json: json(#""bias": {"perBatch": true, "perHead": false}"#))
        #expect(spec.scores.bias == ScoreBias(perBatch: true, perHead: false))
        #expect(spec.scores.bias?.shape(for: spec.problem) == [1, 1, 16, 16])
        #expect(try AttentionSpec(json: Data(spec.jsonText.utf8)) == spec)
        #expect(try AttentionSpec(json: json(#""bias": {}"#)).scores.bias == ScoreBias(perBatch: false, perHead: true))
        expectSpecError(json(#""bias": {"perQuery": true}"#), field: "scores.bias.perQuery", value: "not a known field")
        expectSpecError(json(#""bias": {"perHead": 1}"#), field: "scores.bias.perHead", value: "must be")
    }

    private func expectError(_ data: Data, field: String, value: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectSpecError(data, field: field, value: value, sourceLocation: sourceLocation)
    }

    @Test func softcapAndSlopesRoundTripThroughJSON() throws {
        let spec = try AttentionSpec(json: json(#""softcap": 30, "alibiSlopes": [0.5, 0.25, 0.125, 0.0625]"#))
        #expect(spec.scores == ScoreModifiers(softcap: 30, alibiSlopes: [0.5, 0.25, 0.125, 0.0625]))
        #expect(try AttentionSpec(json: Data(spec.jsonText.utf8)) == spec)
        #expect(spec.summary.contains("softcap 30.0, ALiBi slopes 0.5…0.0625"))
        let plain = try AttentionSpec(json: Data(#"{"problem": {"heads": 4, "headDim": 32, "queryShape": [16]}, "mask": {"kind": "dense"}}"#.utf8))
        #expect(plain.scores.isEmpty && !plain.jsonText.contains("scores"))
    }

    /// The ALiBi paper's slopes: 2^(−8h/n) for a power of two, interleaved from 2n otherwise.
    @Test func geometricSlopesFollowTheALiBiPaper() throws {
        #expect(ScoreModifiers.geometricSlopes(heads: 8) == (1...8).map { 1 / Double(1 << $0) })
        #expect(ScoreModifiers.geometricSlopes(heads: 6) == [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125])
        #expect(ScoreModifiers.geometricSlopes(heads: 1) == [1 / 256])
        let spec = try AttentionSpec(json: json(#""alibiSlopes": "geometric""#))
        #expect(spec.scores.alibiSlopes == ScoreModifiers.geometricSlopes(heads: 4))
    }

    @Test func badModifiersAreTypedErrorsNamingTheValue() {
        expectError(json(#""softcap": 0"#), field: "scores.softcap", value: "0")
        expectError(json(#""softcap": -3"#), field: "scores.softcap", value: "-3")
        expectError(json(#""softcap": 1e300"#), field: "scores.softcap", value: "1e+300")
        expectError(json(#""softcap": 1e-300"#), field: "scores.softcap", value: "1e-300")
        expectError(json(#""alibiSlopes": [1, 2, 1e39, 4]"#), field: "scores.alibiSlopes[2]", value: "1e+39")
        expectError(json(#""alibiSlopes": [0.5, 0.25]"#), field: "scores.alibiSlopes", value: "2 slopes")
        expectError(json(#""alibiSlopes": "linear""#), field: "scores.alibiSlopes", value: "linear")
        expectError(json(#""alibiSlopes": [1, 2, "x", 4]"#), field: "scores.alibiSlopes[2]", value: "number")
        expectError(json(#""alibiSlopes": "geometric""#, queryShape: "[4, 4]"), field: "scores.alibiSlopes", value: "1-D")
        expectError(json(#""softcap": 1, "tilt": 2"#), field: "scores.tilt", value: "known")
        expectError(json(#""bias": 2"#), field: "scores.bias", value: "object")
    }
}

@Suite struct VariableLengthSpecTests {
    private func json(_ mask: String, problem: String = #""heads": 2, "headDim": 16, "queryShape": [6], "keyShape": [10]"#) -> Data {
        Data(#"{"problem": {\#(problem)}, "mask": {"kind": "varlen", \#(mask)}}"#.utf8)
    }

    private func expectError(_ data: Data, field: String, value: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectSpecError(data, field: field, value: value, sourceLocation: sourceLocation)
    }

    @Test func lengthsAndOffsetsReadAlikeAndRoundTrip() throws {
        let byLengths = try AttentionSpec(json: json(#""queryLengths": [1, 0, 5], "keyLengths": [4, 3, 3], "causal": true"#))
        let byOffsets = try AttentionSpec(json: json(#""queryOffsets": [0, 1, 1, 6], "keyOffsets": [0, 4, 7, 10], "right": 0"#))
        #expect(byLengths == byOffsets)
        #expect(byLengths.mask == .varlen(VariableLengths(queryOffsets: [0, 1, 1, 6], keyOffsets: [0, 4, 7, 10], left: -1, right: 0)))
        #expect(try AttentionSpec(json: Data(byLengths.jsonText.utf8)) == byLengths)
    }

    /// Per sequence, bottom-right aligned; empty intervals stay inside their sequence.
    @Test func keyIntervalsFollowEachSequencesDiagonal() {
        let lengths = VariableLengths(queryLengths: [1, 0, 5], keyLengths: [4, 3, 3], right: 0)
        #expect(lengths.keyInterval(query: 0) == (0, 3))  // one query sees its whole cache
        // Sequence 2: 5 queries over 3 keys at 7..<10: the first two see nothing.
        #expect((1...5).map { lengths.keyInterval(query: $0).first } == [7, 7, 7, 7, 7])
        #expect((1...5).map { lengths.keyInterval(query: $0).last } == [6, 6, 7, 8, 9])
        let window = VariableLengths(queryLengths: [4], keyLengths: [6], left: 1, right: 1)
        #expect((0..<4).map { window.keyInterval(query: $0).first } == [1, 2, 3, 4])
        #expect((0..<4).map { window.keyInterval(query: $0).last } == [3, 4, 5, 5])
    }

    @Test func badVariableLengthsAreTypedErrorsNamingTheValue() {
        expectError(json(#""queryOffsets": [1, 6], "keyOffsets": [0, 10]"#), field: "mask.queryOffsets[0]", value: "1")
        expectError(json(#""queryOffsets": [0, 4, 3, 6], "keyOffsets": [0, 1, 2, 10]"#), field: "mask.queryOffsets[2]", value: "3")
        expectError(json(#""queryOffsets": [0, 5], "keyOffsets": [0, 10]"#), field: "mask.queryOffsets[1]", value: "5")
        expectError(json(#""queryOffsets": [0, 6], "keyOffsets": [0, 4, 10]"#), field: "mask.keyOffsets", value: "3 offsets")
        expectError(json(#""queryOffsets": [0, 6], "queryLengths": [6], "keyOffsets": [0, 10]"#), field: "mask.queryLengths", value: "not both")
        expectError(json(#""queryLengths": [6]"#), field: "mask.keyOffsets", value: "missing")
        expectError(json(#""queryLengths": [7, -1], "keyLengths": [10, 0]"#), field: "mask.queryOffsets[2]", value: "6")
        expectError(json(#""queryLengths": [6], "keyLengths": [10], "causal": true, "right": 2"#), field: "mask.right", value: "2")
        expectError(json(#""queryLengths": [6], "keyLengths": [10], "left": -4"#), field: "mask.left", value: "-4")
        expectError(
            json(#""queryLengths": [3, 3], "keyLengths": [5, 5]"#, problem: #""batch": 2, "heads": 2, "headDim": 16, "queryShape": [6], "keyShape": [10]"#),
            field: "problem.batch", value: "2")
        expectError(
            json(#""queryLengths": [6], "keyLengths": [10]"#, problem: #""heads": 2, "headDim": 16, "queryShape": [2, 3], "keyShape": [2, 5]"#),
            field: "problem.queryShape", value: "one token axis")
    }
}

@Suite struct KeyValuePageSpecTests {
    private func json(_ pages: String) -> Data {
        Data(#"{"problem": {"batch": 2, "heads": 2, "headDim": 16, "queryShape": [1], "keyShape": [10], "pages": {\#(pages)}}, "mask": {"kind": "causal"}}"#.utf8)
    }

    @Test func pagesRoundTripAndMapKeysThroughTheTable() throws {
        let spec = try AttentionSpec(json: json(#""pageSize": 4, "pageCount": 6, "pageTable": [[5, 0, 2, 9], [1, 3, 4]]"#))
        #expect(try AttentionSpec(json: Data(spec.jsonText.utf8)) == spec)
        #expect(spec.problem.keyTensorShape == [6, 4, 2, 16])
        #expect(spec.problem.logicalKeyTensorShape == [2, 10, 2, 16])
        // Batch 0: keys 0–3 on page 5, 4–7 on page 0, 8–9 on page 2 (the padding entry 9 is never read).
        #expect(spec.keySlots!.prefix(10) == [20, 21, 22, 23, 0, 1, 2, 3, 8, 9])
        #expect(spec.keySlots!.suffix(10) == [4, 5, 6, 7, 12, 13, 14, 15, 16, 17])
    }

    @Test func varlenSequencesOwnTheTableRows() throws {
        let spec = try AttentionSpec(json: Data(#"""
            {"problem": {"heads": 2, "headDim": 16, "queryShape": [2], "keyShape": [10],
                         "pages": {"pageSize": 4, "pageCount": 3, "pageTable": [[2], [0, 1]]}},
             "mask": {"kind": "varlen", "queryLengths": [1, 1], "keyLengths": [3, 7], "causal": true}}
            """#.utf8))
        #expect(spec.keySlots! == [8, 9, 10, 0, 1, 2, 3, 4, 5, 6])
    }

    /// The SpecDSL article's example.
    @Test func theDocumentedPagedDecodeValidates() throws {
        let decode = AttentionSpec
            .attention(heads: 32, kvHeads: 8, headDim: 128, tokens: [3], keyTokens: [4096 + 37 + 900])
            .masked(.varlen(VariableLengths(queryLengths: [1, 1, 1], keyLengths: [4096, 37, 900], right: 0)))
            .tiled(query: [1], key: [128])
            .scheduled(.lean(workgroups: 64))
        let paged = try decode
            .paged(pageSize: 256, pageCount: 24, pageTable: [[3, 9, 0, 17, 21, 5, 8, 11, 2, 14, 6, 19, 1, 4, 7, 10], [12], [13, 15, 16, 18]])
            .output(as: .float16)
            .validated()
        #expect(paged.problem.keyTensorShape == [24, 256, 8, 128])
        #expect(try AttentionSpec(json: Data(paged.jsonText.utf8)) == paged)
    }

    @Test func badPagesAreTypedErrorsNamingTheValue() {
        expectSpecError(json(#""pageSize": 0, "pageCount": 6, "pageTable": [[0], [1]]"#), field: "problem.pages.pageSize", value: "0")
        expectSpecError(json(#""pageSize": 4, "pageCount": 0, "pageTable": [[0], [1]]"#), field: "problem.pages.pageCount", value: "0")
        expectSpecError(json(#""pageSize": 4, "pageCount": 6, "pageTable": [[0, 1, 2]]"#), field: "problem.pages.pageTable", value: "1 rows")
        expectSpecError(json(#""pageSize": 4, "pageCount": 6, "pageTable": [[0, 1, 2], [3, 4]]"#), field: "problem.pages.pageTable[1]", value: "2 pages")
        expectSpecError(json(#""pageSize": 4, "pageCount": 6, "pageTable": [[0, 1, 6], [3, 4, 5]]"#), field: "problem.pages.pageTable[0][2]", value: "6")
        expectSpecError(json(#""pageSize": 4, "pageCount": 6, "pageTable": [[0, -1, 2], [3, 4, 5]]"#), field: "problem.pages.pageTable[0][1]", value: "-1")
        expectSpecError(json(#""pageSize": 65536, "pageCount": 65536, "pageTable": [[0], [1]]"#), field: "problem.pages.pageCount", value: "4294967296")
        expectSpecError(json(#""pageSize": 4, "pageCount": 6, "pageTable": [[0, 1, 2], [3, 4, 5]], "pages": 2"#), field: "problem.pages.pages", value: "not a known field")
        expectSpecError(json(#""pageSize": 4, "pageCount": 6, "pageTable": [[0, 1.5, 2], [3, 4, 5]]"#), field: "problem.pages.pageTable[0][1]", value: "1.5")
        let grid = Data(#"{"problem": {"heads": 2, "headDim": 16, "queryShape": [2, 2], "pages": {"pageSize": 4, "pageCount": 1, "pageTable": [[0]]}}, "mask": {"kind": "dense"}}"#.utf8)
        expectSpecError(grid, field: "problem.pages", value: "1 pages of 4")
    }
}
