import AttentionPlan
import AttentionSpec
import AttentionTensors
import KernelIR

/// What a Vulkan host tells the emitter about its device.
public struct GLSLOptions: Hashable, Sendable {
    /// Invocations per work-group (`local_size_x`).
    public var workgroupSize: Int
    /// The device's `maxComputeSharedMemorySize`: the emitter sizes the key chunk to fit it
    /// (32 KiB is lavapipe's limit and what most devices offer; Vulkan guarantees 16 KiB).
    public var sharedMemoryBytes: Int
    /// Read float16 / bfloat16 tensors as `float16_t` / `uint16_t` arrays
    /// (`GL_EXT_shader_16bit_storage`). Set only when the device reports
    /// `storageBuffer16BitAccess`; by default 16-bit elements are read in pairs from `uint`
    /// words, which needs no optional feature. The buffers' bytes are the same either way.
    public var sixteenBitStorage: Bool
    /// Mark every tile loop (rows, key chunk, head dimension) `[[unroll]]`. Unrolled, an
    /// invocation runs only the plan's loops, which keeps it under lavapipe's loop cap on long
    /// sequences, but llvmpipe's JIT then takes minutes for 64-row tiles; as real loops (all but
    /// the head-dimension dot product) the shaders JIT in seconds. `GLSLKernelSource.forLoopCap`
    /// chooses per device.
    public var unrollTileLoops: Bool

    public init(workgroupSize: Int = 64, sharedMemoryBytes: Int = 32768, sixteenBitStorage: Bool = false, unrollTileLoops: Bool = true) {
        self.workgroupSize = workgroupSize
        self.sharedMemoryBytes = sharedMemoryBytes
        self.sixteenBitStorage = sixteenBitStorage
        self.unrollTileLoops = unrollTileLoops
    }
}

/// The compile-time constants of the generated GLSL: everything that is a `const` in the shader
/// text. Specs with equal configurations share the same shaders (sizes, scale and plan offsets
/// are push constants, the plan is a buffer, the mask parameters are specialization constants).
public struct GLSLConfiguration: Hashable, Sendable {
    public let headDim: Int
    public let valueDim: Int
    /// Tokens of the largest query tile (tiles are clipped at the grid's edge).
    public let maxQueryRows: Int
    /// Tokens of the largest key tile.
    public let maxKeyRows: Int
    /// Key rows one panel of consecutive visits holds: the IR's panel width, at least `maxKeyRows`.
    public let panelKeys: Int
    /// Keys of a panel that K, V and S hold at once in shared memory: the panel is processed in
    /// chunks of this many keys (at most 64, so the unrolled tile loops stay small). Online softmax
    /// makes the result independent of the chunking up to float32 rounding.
    public let keyChunk: Int
    public let workgroupSize: Int
    public let dtype: ElementType
    public let sixteenBitStorage: Bool
    /// The mask's compile-time part (its kind, rank and the specialization constants' defaults).
    public let mask: GLSLMaskLowering

    /// Throws when not even a one-key chunk fits the shared-memory budget.
    public init(program: KernelProgram, plan: TilePlan, options: GLSLOptions = GLSLOptions()) throws(SpecError) {
        let p = program.spec.problem
        headDim = p.headDim
        valueDim = p.valueDim
        maxQueryRows = (0..<plan.queryTiles.count).map(plan.queryTiles.tokenCount(of:)).max() ?? 1
        maxKeyRows = (0..<plan.keyTiles.count).map(plan.keyTiles.tokenCount(of:)).max() ?? 1
        panelKeys = max(maxKeyRows, KernelProgram.panelKeys(program.spec))
        workgroupSize = options.workgroupSize
        dtype = p.dtype
        sixteenBitStorage = options.sixteenBitStorage && p.dtype != .float32
        mask = GLSLMaskLowering(mask: program.spec.mask, rank: p.rank)
        guard options.workgroupSize >= 1 else {
            throw .invalidValue(field: "workgroupSize", value: "\(options.workgroupSize)", reason: "a work-group needs at least one invocation")
        }
        let (queryRows, panel, d, dv) = (maxQueryRows, panelKeys, headDim, valueDim)
        let fitting = (1...min(64, panel)).reversed().first {
            Self.sharedMemoryBytes(queryRows: queryRows, panelKeys: panel, keyChunk: $0, headDim: d, valueDim: dv) <= options.sharedMemoryBytes
        }
        guard let fitting else {
            let needed = Self.sharedMemoryBytes(queryRows: queryRows, panelKeys: panel, keyChunk: 1, headDim: d, valueDim: dv)
            throw .invalidValue(
                field: "tiling.queryTile", value: spacedGrid(program.spec.tiling.queryTile),
                reason: "\(queryRows) query rows of headDim \(d) need \(needed) bytes of shared memory even with one key per chunk; "
                    + "the device has \(options.sharedMemoryBytes) (use a smaller query tile)")
        }
        keyChunk = fitting
    }

    /// Bytes of shared memory one attention work-group uses.
    public var attentionSharedMemoryBytes: Int {
        Self.sharedMemoryBytes(queryRows: maxQueryRows, panelKeys: panelKeys, keyChunk: keyChunk, headDim: headDim, valueDim: valueDim)
    }

    /// Q, the K, V and S chunks, the row state m, l, rescale and the query and panel token lists
    /// (the accumulator lives in each invocation's registers).
    static func sharedMemoryBytes(queryRows: Int, panelKeys: Int, keyChunk: Int, headDim: Int, valueDim: Int) -> Int {
        let floats = queryRows * headDim + keyChunk * (headDim + valueDim) + queryRows * keyChunk + 3 * queryRows
        return 4 * (floats + queryRows + 2 * panelKeys)
    }

    /// Steps of the unrolled loops that spread `elements` over the work-group.
    func steps(_ elements: Int) -> Int { (elements + workgroupSize - 1) / workgroupSize }

    /// The shaders' `const int`s, in source order.
    var constants: [(name: String, value: Int, comment: String)] {
        [
            ("HEAD_DIM", headDim, "query/key head dimension"),
            ("VALUE_DIM", valueDim, "value head dimension"),
            ("MAX_QUERY_ROWS", maxQueryRows, "tokens of the largest query tile"),
            ("MAX_KEY_ROWS", maxKeyRows, "tokens of the largest key tile"),
            ("PANEL_KEYS", panelKeys, "key rows one panel of consecutive visits holds"),
            ("KEY_CHUNK", keyChunk, "keys of a panel that K, V and S hold at once"),
            ("WG_SIZE", workgroupSize, "invocations per work-group"),
        ]
    }
}

func spacedGrid(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
