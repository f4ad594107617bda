import AttentionPlan
import AttentionSpec
import Foundation
import GLSLEmitter
import KernelIR
import KernelLowering
import Testing

/// The manifest lets a Vulkan engine run the shaders without Swift; the loop estimate lets a
/// host refuse what lavapipe would cut short.
@Suite struct GLSLManifestAndLoopTests {
    @Test(arguments: ["flash", "splitKV", "lean"])
    func manifestParsesAndListsEveryBindingAndPushConstant(schedule: String) throws {
        let s: Schedule = schedule == "flash" ? .flash : schedule == "splitKV" ? .splitKV(splits: 3) : .lean(workgroups: 5)
        let spec = try GLSLEmitterTests.lean.scheduled(s).validated()
        let source = try emitted(spec)
        let text = source.manifest(sourceFiles: ["attention_flash": "x.comp"]).prettyText()
        guard case .object(let root) = try JSONValue.parse(Data(text.utf8)), case .array(let bindings) = root["bindings"],
              case .object(let push) = root["pushConstants"], case .array(let members) = push["members"],
              case .array(let shaders) = root["shaders"], case .array(let dispatch) = root["dispatch"]
        else { Issue.record("manifest lacks bindings, pushConstants, shaders or dispatch"); return }
        #expect(root["format"] == .string(GLSLKernelSource.manifestFormat))
        #expect(shaders.count == source.shaders.count && dispatch.count == source.shaders.count)
        let listed = Set(bindings.compactMap { b -> Int? in
            guard case .object(let f) = b, case .number(let n) = f["binding"] else { return nil }
            return Int(n)
        })
        for shader in source.shaders {
            // Every binding a shader declares is listed, and the declaration matches the manifest.
            for binding in shader.bindings {
                #expect(listed.contains(binding))
                let buffer = try #require(source.buffers.first { $0.binding == binding })
                #expect(shader.programText.contains("binding = \(binding))") && shader.programText.contains("\(buffer.glslType) \(buffer.arrayName)[]"))
            }
            let declared = shader.programText.components(separatedBy: "layout(std430, set = 0, binding = ").count - 1
            #expect(declared == shader.bindings.count)
            #expect(shader.groupCount.reduce(1, *) >= shader.workgroups)
        }
        // Push constants: contiguous 4-byte members within Vulkan's guaranteed 128 bytes, each declared in order.
        #expect(push["size"] == .number(Double(4 * source.pushConstants.count)))
        #expect(4 * source.pushConstants.count <= 128)
        #expect(members.count == source.pushConstants.count)
        for (index, member) in source.pushConstants.enumerated() {
            #expect(member.offset == 4 * index)
            #expect(source.shaders[0].programText.contains("    \(member.type) \(member.name);"))
        }
        // The plan buffer holds the tables at the offsets the push constants give.
        let plan = try #require(source.buffers.first { $0.name == "plan" })
        #expect(plan.contents == source.planWords)
        func base(_ name: String) -> Int? {
            source.pushConstants.first { $0.name == name + "_base" }.flatMap { if case .int(let v) = $0.value { v } else { nil } }
        }
        let t = source.tables
        for (name, table) in [("query_tile_offsets", t.queryTileOffsets), ("key_tile_tokens", t.keyTileTokens), ("visits", t.visits)] {
            let offset = try #require(base(name))
            #expect(Array(source.planWords[offset..<(offset + table.count)]) == table)
        }
        if s != .flash {
            let offset = try #require(base("segments"))
            #expect(Array(source.planWords[offset..<(offset + t.segments.count)]) == t.segments)
        }
    }

    @Test func loopEstimateCountsTheRemainingLoops() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [64], keyTokens: [1024]).tiled(query: [64], key: [64]).validated()
        let source = try emitted(spec)
        let strategy = source.configuration.strategy
        #expect(strategy.unrolled)
        let blocks = (64 + strategy.blockKeys - 1) / strategy.blockKeys
        // 16 one-visit panels: the panel loop (17 tests), per panel grouping (2), token gather (2), blocks (+1);
        // every tile loop is expanded.
        #expect(source.loopIterationEstimate() == 17 + 16 * (2 + 2 + blocks + 1))
        #expect(try GLSLKernelSource.loopIterationEstimate(program: KernelProgram(spec: spec), plan: TilePlan(spec)) == source.loopIterationEstimate())

        let split = try emitted(spec.scheduled(.splitKV(splits: 4)).validated())
        // The merge's element steps, each with the slot loop over 4 parts (5 tests).
        let elements = (64 * 16 + strategy.workgroupSize - 1) / strategy.workgroupSize
        #expect(split.loopIterationEstimate(kernel: "merge_partials") == elements * (4 + 1))
        // Each split holds 4 visits: segment loop (2), panels (5), per panel 2 + 2 + blocks + 1.
        #expect(split.loopIterationEstimate(kernel: "attention_split_kv") == 2 + 5 + 4 * (2 + 2 + blocks + 1))
    }

    @Test func loopEstimateCountsTheCooperativeMatrixLoops() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [64], keyTokens: [1024], dtype: .float16)
            .tiled(query: [64], key: [64]).validated()
        let strategy = try #require(KernelStrategy(compact: "16x8,4x8,h16,v64,coop:emulated:16x16x16:4x32:f16"))
        let source = try emitted(spec, GLSLOptions(sharedMemoryBytes: 1 << 20, unrollTileLoops: false, strategy: strategy))
        // Per segment: the Q load (8 steps: 9 tests), clearing O (64 rows of 20 floats in 10 steps: 11)
        // and the row sums' reduction (4 rows x 9). Per block: the S fragment loop (16 fragments, 4 per
        // subgroup: 5 tests), each fragment clearing, one product and a store over the lane's 8 elements
        // (3 x 9); the max reduction (36); the O fragment loop (4 fragments, 1 per subgroup: 2 tests)
        // with a load, 4 products and a store (6 x 9). The loads of 8 steps are expanded.
        let segment: Int = 9 + 11 + 36
        let block: Int = (5 + 4 * 27) + 36 + (2 + 54)
        let panels: Int = 17 + 16 * (2 + 2 + 1 + 1 + block)
        #expect(source.loopIterationEstimate() == segment + panels)
    }

    @Test func longSequencesPassTheLavapipeCapUnlessSpreadOverWorkGroups() throws {
        let long = try AttentionSpec.attention(heads: 1, headDim: 8, tokens: [1], keyTokens: [1 << 20]).tiled(query: [1], key: [64]).validated()
        let flash = try emitted(long)
        #expect(flash.loopIterationEstimate() > GLSLKernelSource.lavapipeLoopIterationCap)
        #expect(throws: SpecError.self) { try flash.checkLoopIterations() }
        let lean = try emitted(long.scheduled(.lean(workgroups: 64)).validated())
        #expect(lean.loopIterationEstimate() < GLSLKernelSource.lavapipeLoopIterationCap)
        try lean.checkLoopIterations()
        // The catalogue fits the cap.
        for file in catalogueFiles {
            let spec = try AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file))
            #expect(try emitted(spec).loopIterationEstimate() < GLSLKernelSource.lavapipeLoopIterationCap, "\(file)")
        }
    }
}
