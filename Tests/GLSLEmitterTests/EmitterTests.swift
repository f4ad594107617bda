import AttentionPlan
import AttentionSpec
import Foundation
import GLSLEmitter
import KernelIR
import Testing

/// Properties of the generated shaders and manifest that need no tool and no device.
@Suite struct GLSLEmitterTests {
    static let lean = try! AttentionSpec.attention(batch: 2, heads: 4, kvHeads: 2, headDim: 32, tokens: [11, 13])
        .masked(try! .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]))
        .tiled(query: [4, 4], key: [2, 8]).scheduled(.lean(workgroups: 7)).validated()

    @Test func sourceAndManifestAreDeterministicASCIIAndVersioned() throws {
        let first = try emitted(Self.lean)
        let second = try emitted(Self.lean)
        #expect(first.shaders == second.shaders)
        #expect(first.manifest.prettyText() == second.manifest.prettyText())
        for shader in first.shaders {
            let ascii = shader.source.unicodeScalars.allSatisfy { $0.isASCII }
            #expect(ascii, "\(shader.name) should be plain ASCII")
            #expect(shader.source.hasSuffix(shader.programText))
            #expect(shader.programText.hasPrefix("#version 450\n"))
            #expect(shader.programText.contains("layout(local_size_x = \(shader.localSize)) in;"))
            #expect(shader.programText.contains("#extension GL_EXT_control_flow_attributes : require"))
            #expect(!shader.programText.contains("GL_EXT_shader_16bit_storage"), "16-bit storage is off by default")
        }
        #expect(first.shaders[0].source.contains("lean(7)") && first.shaders[0].source.contains("11x13"))
    }

    @Test func programTextDependsOnlyOnTheCompileTimeConstants() throws {
        let small = try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [40], keyTokens: [70]).masked(.causal)
            .tiled(query: [16], key: [16]).scheduled(.splitKV(splits: 3)).validated()
        let large = try AttentionSpec.attention(batch: 3, heads: 6, kvHeads: 3, headDim: 32, tokens: [90], keyTokens: [50], scale: 0.3)
            .masked(.causal).tiled(query: [16], key: [16]).scheduled(.splitKV(splits: 5)).validated()
        #expect(try emitted(small).shaders.map(\.programText) == emitted(large).shaders.map(\.programText))
        #expect(try emitted(small).shaders[0].source != emitted(large).shaders[0].source)
        #expect(try emitted(small).shaders[0].programText != emitted(small.stored(as: .bfloat16)).shaders[0].programText)
        // Mask parameters are specialization constants: another window changes only their defaults.
        let windowA = try emitted(small.masked(.slidingWindow(left: 3, right: 0)))
        let windowB = try emitted(small.masked(.slidingWindow(left: 9, right: -1)))
        func withoutDefaults(_ text: String) -> [Substring] { text.split(separator: "\n").filter { !$0.hasPrefix("layout(constant_id") } }
        #expect(windowA.shaders[0].programText != windowB.shaders[0].programText)
        #expect(withoutDefaults(windowA.shaders[0].programText) == withoutDefaults(windowB.shaders[0].programText))
        #expect(windowA.shaders[0].specializationConstants.map(\.value) == [3, 0])
        #expect(windowB.shaders[0].specializationConstants.map(\.value) == [9, -1])
    }

    @Test func shadersFollowTheProgramInDispatchOrder() throws {
        for (schedule, names) in [(Schedule.flash, ["attention_flash"]), (.splitKV(splits: 2), ["attention_split_kv", "merge_partials"]),
                                  (.lean(workgroups: 3), ["attention_lean", "merge_partials"])] {
            let spec = try Self.lean.scheduled(schedule).validated()
            let source = try emitted(spec)
            #expect(source.shaders.map(\.name) == KernelProgram(spec: spec).kernels.map(\.name))
            #expect(source.shaders.map(\.name) == names)
            let plan = try TilePlan(spec)
            let outputTiles = spec.problem.batch * spec.problem.heads * plan.queryTiles.count
            #expect(source.shaders.map(\.workgroups) == KernelProgram(spec: spec).kernels.map { $0.workgroups.count(outputTiles: outputTiles) })
            // Only what the schedule needs is emitted.
            #expect(source.shaders[0].programText.contains("pc.segments_base + 6 * s") == (schedule != .flash))
            #expect(source.shaders[0].programText.contains("partial_m_data[") == (schedule != .flash))
            #expect(source.shaders[0].programText.contains("output_data[") == (schedule == .flash))
            if schedule != .flash {
                let merge = source.shaders[1].programText
                #expect(merge.contains("lse_merge") && !merge.contains("shared float") && !merge.contains("barrier()"))
                #expect(!merge.contains("mask_allows"), "the merge needs no mask")
            }
        }
    }

    /// FULL visits are mask-free: the predicate is called only for columns of PARTIAL visits.
    @Test func maskIsEvaluatedOnlyOnPartialVisits() throws {
        let text = try emitted(Self.lean).shaders[0].programText
        let calls = text.split(separator: "\n").filter { $0.contains("neighborhood_mask_allows(query_rows") }
        let strategy = try emitted(Self.lean).configuration.strategy
        #expect(calls.count == strategy.rowsPerThread * strategy.keysPerThread)
        #expect(calls.allSatisfy { $0.contains("(check && ") }, "every evaluation is behind the PARTIAL check")
        #expect(text.contains("const bool check = !outside && panel_partial && panel_masked[first + cg + 0] != 0;"))
        #expect(text.contains("const int masked = plan_data[pc.visits_base + 2 * v + 1] != 0 ? 0 : 1;"))
    }

    @Test func noVisibleKeyGivesZeroAndNegativeInfinity() throws {
        for schedule in [Schedule.flash, .splitKV(splits: 2)] {
            let source = try emitted(Self.lean.scheduled(schedule).validated())
            let text = source.shaders.map(\.programText).joined()
            #expect(text.contains("#define NEG_INF uintBitsToFloat(0xff800000u)"))
            #expect(text.contains("== 0.0f ? NEG_INF : "))
            #expect(schedule != .flash || text.contains("l0 == 0.0f ? 0.0f : o0_0 / l0"))
            #expect(schedule == .flash || text.contains("l == 0.0f ? 0.0f : acc / l"))
        }
    }

    @Test func tileLoopsAreUnrolledAndOnlyPlanLoopsRemain() throws {
        for shader in try emitted(Self.lean).shaders {
            let loops = shader.programText.split(separator: "\n").filter { $0.contains("for (") || $0.contains("while (") }
            let real = loops.map { $0.trimmingCharacters(in: .whitespaces) }
            let allowed = ["while (panel_end < seg_end) {", "for (int v = next, column = 0; v < panel_end; ++v) {",
                           "for (int s = plan_data[pc.segment_offsets_base + group]; s < plan_data[pc.segment_offsets_base + group + 1]; ++s) {",
                           "for (int next = seg_begin; next < seg_end;) {",
                           "for (int first = 0; first < panel_keys; first += BLOCK_KEYS) {",
                           "for (int slot = plan_data[pc.slot_offsets_base + group]; slot < plan_data[pc.slot_offsets_base + group + 1]; ++slot) {"]
            #expect(real.allSatisfy(allowed.contains), "\(shader.name) has real loops \(real.filter { !allowed.contains($0) })")
        }
    }

    @Test func sixteenBitStorageIsBehindTheOption() throws {
        let spec = try Self.lean.stored(as: .float16).validated()
        let packed = try emitted(spec)
        #expect(packed.shaders[0].programText.contains("uint q_data[]") && packed.shaders[0].programText.contains("unpackHalf2x16"))
        #expect(packed.buffers.first { $0.name == "q" }?.glslType == "uint")
        let direct = try emitted(spec, GLSLOptions(sixteenBitStorage: true))
        #expect(direct.shaders[0].programText.contains("#extension GL_EXT_shader_16bit_storage : require"))
        #expect(direct.shaders[0].programText.contains("float16_t q_data[]"))
        #expect(!direct.shaders[1].programText.contains("16bit"), "the merge reads no 16-bit data")
        let bf16 = try emitted(spec.stored(as: .bfloat16), GLSLOptions(sixteenBitStorage: true))
        #expect(bf16.shaders[0].programText.contains("uint16_t q_data[]"))
        // The same bytes either way: the buffer sizes do not change.
        #expect(packed.buffers.map(\.byteCount) == direct.buffers.map(\.byteCount))
        #expect(packed.buffers.first { $0.name == "q" }?.byteCount == (spec.problem.queryTensorShape.reduce(1, *) * 2 + 3) / 4 * 4)
    }

    @Test func sharedMemoryFitsTheBudgetOrFailsWithATypedError() throws {
        for file in catalogueFiles {
            let spec = try AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file))
            let source = try emitted(spec)
            #expect(source.configuration.attentionSharedMemoryBytes <= 32768, "\(file)")
            #expect(source.configuration.strategy.problem(with: source.configuration.facts) == nil, "\(file)")
            // With less memory a strategy that fits is chosen, or a typed error names the query tile.
            do {
                let small = try emitted(spec, GLSLOptions(sharedMemoryBytes: 16384 + 8192))
                #expect(small.configuration.attentionSharedMemoryBytes <= 16384 + 8192)
            } catch {
                #expect("\(error)".contains("tiling.queryTile") && "\(error)".contains("shared memory"), "\(file): \(error)")
            }
        }
        let huge = try AttentionSpec.attention(heads: 1, headDim: 256, tokens: [512]).tiled(query: [128], key: [64]).validated()
        let error = #expect(throws: SpecError.self) { try emitted(huge) }
        #expect(error?.description.contains("tiling.queryTile") == true && error?.description.contains("shared memory") == true)
    }

    @Test func largeGridsFoldTheDispatchUnder65535() throws {
        let spec = try AttentionSpec.attention(batch: 4, heads: 64, headDim: 8, tokens: [4096]).masked(.causal)
            .tiled(query: [16], key: [64]).validated()
        let shader = try emitted(spec).shaders[0]
        #expect(shader.workgroups == 4 * 64 * 256)
        #expect(shader.groupCount[0] <= 65535 && shader.groupCount[0] * shader.groupCount[1] >= shader.workgroups)
        #expect(shader.groupCount[1] > 1 && shader.groupCount[2] == 1)
        #expect(shader.programText.contains("if (group >= pc.batch * pc.heads * pc.query_tiles) return;"))
    }
}
