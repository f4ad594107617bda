import AttentionPlan
import AttentionSpec
import AttentionTensors
import GLSLEmitter
import KernelIR
import KernelLowering
import OpenCLEmitter
import Testing

/// The picker with and without cooperative matrices (fake device limits), the strategy's compact
/// form, and the refusals that keep cooperative-matrix strategies to what they can run.
@Suite struct CooperativeMatrixStrategyTests {
    static func facts(_ storage: ElementType, headDim: Int = 64, rows: Int = 64) -> KernelFacts {
        KernelFacts(headDim: headDim, valueDim: headDim, maxQueryRows: rows, panelKeys: 128, maxKeyRows: 64, storage: storage)
    }

    static let nvShapes = [
        CooperativeMatrixShape(m: 16, n: 8, k: 16, operand: .float16, float32Accumulator: true),
        CooperativeMatrixShape(m: 16, n: 16, k: 16, operand: .float16, float32Accumulator: true),
    ]
    static func nvidia(_ form: CooperativeMatrixStrategy.Form = .nv, unusable: String? = nil, shapes: [CooperativeMatrixShape] = nvShapes) -> DeviceLimits {
        DeviceLimits(
            sharedMemoryBytes: 49152, maxWorkgroupSize: 1024, subgroupSize: 32,
            cooperativeMatrix: CooperativeMatrixSupport(form: form, shapes: shapes, subgroupSize: 32, unusable: unusable))
    }

    @Test func float16PrefersCooperativeMatricesOfTheDevicesForm() throws {
        for form in [CooperativeMatrixStrategy.Form.nv, .khr] {
            let chosen = try #require(KernelStrategy.choose(for: Self.nvidia(form), facts: Self.facts(.float16)))
            let matrix = try #require(chosen.matrix, "\(chosen.compact)")
            #expect(matrix.form == form && matrix.lanes == 32 && (matrix.m, matrix.n, matrix.k) == (16, 16, 16))
            #expect(chosen.sharedMemoryBytes(Self.facts(.float16)) <= 49152)
            #expect(KernelStrategy.cooperativeMatrixNote(for: Self.nvidia(form), facts: Self.facts(.float16)) == nil)
        }
        // Head dims up to 256 fit 48 KiB with 16-bit operands, at query tiles that leave room for
        // O's float32 rows (64 rows at d64, 32 at d128, 16 at d256).
        for (headDim, rows) in [(32, 64), (40, 64), (128, 32), (256, 16)] {
            let chosen = KernelStrategy.choose(for: Self.nvidia(), facts: Self.facts(.float16, headDim: headDim, rows: rows))
            #expect(chosen?.matrix != nil, "d\(headDim): \(chosen?.compact ?? "none")")
        }
        // 64 rows of d128 need 63 KiB: SIMT, and the note says shared memory is why.
        let d128 = Self.facts(.float16, headDim: 128, rows: 64)
        #expect(KernelStrategy.choose(for: Self.nvidia(), facts: d128)?.matrix == nil)
        #expect(KernelStrategy.cooperativeMatrixNote(for: Self.nvidia(), facts: d128)?.contains("49152 bytes of shared memory") == true)
    }

    @Test func theOtherCasesRunSIMTAndSayWhy() throws {
        let cases: [(DeviceLimits, ElementType, String)] = [
            (Self.nvidia(), .float32, "stores float32"),
            (Self.nvidia(), .bfloat16, "GL_EXT_bfloat16"),
            (Self.nvidia(shapes: Self.nvShapes + [CooperativeMatrixShape(m: 16, n: 16, k: 16, operand: .bfloat16, float32Accumulator: true)]),
             .bfloat16, "GL_EXT_bfloat16"),
            (Self.nvidia(.khr, unusable: "GL_KHR_cooperative_matrix needs glslang 13"), .float16, "glslang 13"),
        ]
        for (device, storage, reason) in cases {
            let chosen = try #require(KernelStrategy.choose(for: device, facts: Self.facts(storage)))
            #expect(chosen.matrix == nil, "\(storage): \(chosen.compact)")
            let note = KernelStrategy.cooperativeMatrixNote(for: device, facts: Self.facts(storage))
            #expect(note?.contains(reason) == true, "\(note ?? "no note")")
        }
        // A device without cooperative matrices: SIMT and nothing to explain.
        let plain = DeviceLimits(sharedMemoryBytes: 49152, maxWorkgroupSize: 1024, subgroupSize: 32)
        #expect(KernelStrategy.choose(for: plain, facts: Self.facts(.float16))?.matrix == nil)
        #expect(KernelStrategy.cooperativeMatrixNote(for: plain, facts: Self.facts(.float16)) == nil)
    }

    @Test func compactFormsRoundTrip() throws {
        for strategy in KernelStrategy.candidates(for: Self.nvidia(), facts: Self.facts(.float16)) where strategy.matrix != nil {
            #expect(KernelStrategy(compact: strategy.compact) == strategy, "\(strategy.compact)")
        }
        let text = "16x8,1x8,h64,v64,coop:emulated:16x16x16:4x32:bf16,sg,unrolled"
        let parsed = try #require(KernelStrategy(compact: text))
        #expect(parsed.compact == text && parsed.matrix?.operand == .bfloat16 && parsed.unrolled && parsed.reduction == .subgroupShuffle)
        for bad in ["16x8,1x8,h64,v64,coop:tpu:16x16x16:4x32:f16", "16x8,1x8,h64,v64,coop:nv:16x16:4x32:f16",
                    "16x8,1x8,h64,v64,coop:nv:16x16x16:4x32:f32", "16x8,1x8,h64,v64,coop:nv:16x16x16:0x32:f16"] {
            #expect(KernelStrategy(compact: bad) == nil, "\(bad)")
        }
    }

    @Test func refusalsNameTheReason() throws {
        let emulated = try #require(KernelStrategy(compact: "16x8,4x8,h64,v64,coop:emulated:16x16x16:4x32:f16"))
        #expect(emulated.problem(with: Self.facts(.float32))?.contains("spec stores float32") == true)
        #expect(emulated.problem(with: Self.facts(.float16)) == nil)
        #expect(emulated.problem(on: .portable) == nil, "the emulated form runs anywhere")
        let nv = try #require(KernelStrategy(compact: "16x8,4x8,h64,v64,coop:nv:16x16x16:4x32:f16"))
        #expect(nv.problem(on: .portable)?.contains("no NV cooperative matrices") == true)
        #expect(nv.problem(on: Self.nvidia(.khr)) != nil)
        #expect(nv.problem(on: Self.nvidia(shapes: [Self.nvShapes[0]]))?.contains("16x16x16") == true)
        let ragged = try #require(KernelStrategy(compact: "16x8,4x5,h64,v40,coop:nv:16x16x16:4x32:f16"))
        #expect(ragged.problem(with: Self.facts(.float16))?.contains("whole fragments") == true)
        // OpenCL has no cooperative-matrix lowering.
        let spec = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [64], dtype: .float16).tiled(query: [64], key: [64]).validated()
        #expect(throws: SpecError.self) {
            try OpenCLKernelSource(program: KernelProgram(spec: spec), plan: TilePlan(spec), strategy: emulated)
        }
    }
}
