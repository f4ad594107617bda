import AttentionPlan
import Foundation
import AttentionSpec
import KernelIR
import OpenCLEmitter
import Testing

/// Properties of the generated text and manifest that need no device.
@Suite struct EmitterTests {
    static let lean = try! AttentionSpec.attention(batch: 2, heads: 4, kvHeads: 2, headDim: 32, tokens: [11, 13])
        .masked(try! .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]))
        .tiled(query: [4, 4], key: [2, 8]).scheduled(.lean(workgroups: 7)).validated()

    @Test func sourceAndManifestAreDeterministic() throws {
        let first = try emitted(Self.lean)
        let second = try emitted(Self.lean)
        #expect(first.source == second.source)
        #expect(first.manifest.prettyText() == second.manifest.prettyText())
        let ascii = first.source.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(ascii, "the .cl file should be plain ASCII")
        #expect(first.source.hasPrefix(first.header) && first.source.contains(first.programText))
        #expect(first.header.contains("lean(7)") && first.header.contains("11x13"))
    }

    @Test func programTextDependsOnlyOnTheCompileTimeConstants() throws {
        let small = try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [40], keyTokens: [70]).masked(.causal)
            .tiled(query: [16], key: [16]).scheduled(.splitKV(splits: 3)).validated()
        let large = try AttentionSpec.attention(batch: 3, heads: 6, kvHeads: 3, headDim: 32, tokens: [90], keyTokens: [50], scale: 0.3)
            .masked(.causal).tiled(query: [16], key: [16]).scheduled(.splitKV(splits: 5)).validated()
        #expect(try emitted(small).programText == emitted(large).programText)
        #expect(try emitted(small).source != emitted(large).source)
        #expect(try emitted(small).programText != emitted(small.stored(as: .float16)).programText)
        #expect(try emitted(small).programText != emitted(small.masked(.slidingWindow(left: 3, right: 0))).programText)
    }

    @Test func kernelsFollowTheProgramInDispatchOrder() throws {
        for (schedule, names) in [(Schedule.flash, ["attention_flash"]), (.splitKV(splits: 2), ["attention_split_kv", "merge_partials"]),
                                  (.lean(workgroups: 3), ["attention_lean", "merge_partials"])] {
            let spec = try Self.lean.scheduled(schedule).validated()
            let source = try emitted(spec)
            #expect(source.launches.map(\.kernel) == KernelProgram(spec: spec).kernels.map(\.name))
            #expect(source.launches.map(\.kernel) == names)
            for name in names { #expect(source.programText.contains("void \(name)(")) }
            // Only what the schedule needs is emitted.
            #expect(source.programText.contains("lse_merge") == (schedule != .flash))
            #expect(source.programText.contains("segments[6 * s]") == (schedule != .flash))
        }
    }

    @Test func planBuffersAndFlexViewMatchThePlan() throws {
        let source = try emitted(Self.lean)
        let plan = try TilePlan(Self.lean)
        let partition = WorkPartition(plan: plan)
        let t = source.tables
        for tile in 0..<plan.queryTiles.count {
            let tokens = t.queryTileTokens[Int(t.queryTileOffsets[tile])..<Int(t.queryTileOffsets[tile + 1])].map(Int.init)
            #expect(tokens == plan.queryTiles.tokens(of: tile))
            let visits = (Int(t.visitOffsets[tile])..<Int(t.visitOffsets[tile + 1])).map {
                KeyTileVisit(keyTile: Int(t.visits[2 * $0]), tileClass: t.visits[2 * $0 + 1] == 1 ? .full : .partial)
            }
            #expect(visits == plan.visits(forQueryTile: tile))
        }
        #expect(t.segmentOffsets.count == partition.workgroupCount + 1)
        #expect(Int(t.segmentOffsets.last!) == (0..<partition.workgroupCount).reduce(0) { $0 + partition.segments(ofWorkgroup: $1).count })
        #expect(t.slotOffsets.count == partition.outputTileCount + 1)

        guard case .object(let manifest) = source.manifest, case .object(let view) = manifest["plan"],
              case .array(let kvIndices) = view["kvIndices"], case .array(let fullIndices) = view["fullIndices"]
        else { Issue.record("manifest has no plan view"); return }
        for tile in 0..<plan.queryTiles.count {
            let visits = plan.visits(forQueryTile: tile)
            #expect(kvIndices[tile] == .array(visits.filter { $0.tileClass == .partial }.map { .number(Double($0.keyTile)) }))
            #expect(fullIndices[tile] == .array(visits.filter { $0.tileClass == .full }.map { .number(Double($0.keyTile)) }))
        }
    }

    @Test func manifestDescribesKernelsBuffersAndDispatch() throws {
        let source = try emitted(Self.lean)
        let text = source.manifest(sourceFile: "lean.cl").prettyText()
        let parsed = try JSONValue.parse(Data(text.utf8))
        guard case .object(let root) = parsed, case .array(let kernels) = root["kernels"], case .array(let buffers) = root["buffers"],
              case .array(let dispatch) = root["dispatch"]
        else { Issue.record("manifest lacks kernels, buffers or dispatch"); return }
        #expect(root["sourceFile"] == .string("lean.cl"))
        #expect(root["format"] == .string(OpenCLKernelSource.manifestFormat))
        #expect(kernels.count == 2 && dispatch.count == 2)
        let bufferNames = Set(buffers.compactMap { buffer -> String? in
            guard case .object(let fields) = buffer, case .string(let name) = fields["name"] else { return nil }
            return name
        })
        // Every buffer argument names a listed buffer.
        for launch in source.launches {
            for case .buffer(let name) in launch.arguments.map(\.value) { #expect(bufferNames.contains(name)) }
            #expect(launch.globalSize == launch.workgroups * launch.localSize)
        }
        #expect(bufferNames.isSuperset(of: ["q", "k", "v", "output", "lse", "partial_m", "partial_l", "partial_acc", "segments", "slot_offsets"]))
    }

    @Test func smallerTilingAdviceFits() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 256, tokens: [512]).tiled(query: [128], key: [256]).validated()
        let source = try emitted(spec)
        let budget = 96 * 1024
        #expect(source.configuration.attentionLocalMemoryBytes > budget)
        let suggested = source.tiling(fittingLocalMemory: budget)
        let advice = try #require(suggested)
        let fitted = try emitted(spec.tiled(query: advice.queryTile, key: advice.keyTile).validated())
        #expect(fitted.configuration.attentionLocalMemoryBytes <= budget)
        #expect(advice.queryTile[0] < 128 || advice.keyTile[0] < 256)
        let impossible = source.tiling(fittingLocalMemory: 4 * 1024)  // one query row of d256 with a 256-key panel needs more
        #expect(impossible == nil)
    }
}
