import AttentionTensors

extension KernelStrategy {
    /// Cooperative-matrix strategies for `facts` in `form` on fragments of `shape`, with subgroups
    /// of `lanes`: four subgroups (then two, one) over query tiles of the program's rows padded to
    /// the fragment, blocks of 64, 32 or 16 keys; the softmax's invocations in a grid whose rows
    /// divide the tile. Only where the storage type is the operand type.
    public static func cooperative(
        _ form: CooperativeMatrixStrategy.Form, shape: CooperativeMatrixShape, lanes: Int, device: DeviceLimits, facts: KernelFacts
    ) -> [KernelStrategy] {
        guard shape.operand == facts.storage, shape.float32Accumulator else { return [] }
        let tileRows = CooperativeMatrixStrategy.padded(max(1, facts.maxQueryRows), to: shape.m)
        var result: [KernelStrategy] = []
        for subgroups in [4, 2, 1] where subgroups * lanes <= device.maxWorkgroupSize {
            let matrix = CooperativeMatrixStrategy(
                form: form, m: shape.m, n: shape.n, k: shape.k, subgroups: subgroups, lanes: lanes, operand: shape.operand)
            let size = matrix.workgroupSize
            for blockKeys in [64, 32, 16] where blockKeys % shape.n == 0 && blockKeys % shape.k == 0 {
                guard let keyThreads = [8, 16, 4, 32, 2, 64, 1].first(where: { t in
                    size % t == 0 && blockKeys % t == 0 && tileRows % (size / t) == 0 && size / t <= tileRows
                }) else { continue }
                let rowThreads = size / keyThreads
                let strategy = KernelStrategy(
                    rowThreads: rowThreads, keyThreads: keyThreads, rowsPerThread: tileRows / rowThreads, keysPerThread: blockKeys / keyThreads,
                    headChunk: facts.headDim, valueKeys: blockKeys, matrix: matrix)
                if strategy.problem(with: facts) == nil && strategy.problem(on: device) == nil { result.append(strategy) }
            }
        }
        return result
    }

    /// The device's own cooperative-matrix strategies, preferred shapes first (16×16×16, then the
    /// rest as the device lists them); none where the device has no usable cooperative matrices.
    static func cooperativeCandidates(for device: DeviceLimits, facts: KernelFacts) -> [KernelStrategy] {
        guard let support = device.cooperativeMatrix, support.unusable == nil else { return [] }
        let shapes = support.shapes.sorted { ($0.m, $0.n, $0.k) == (16, 16, 16) && ($1.m, $1.n, $1.k) != (16, 16, 16) }
        return shapes.flatMap { cooperative(support.form, shape: $0, lanes: support.subgroupSize, device: device, facts: facts) }
    }

    /// Why the picker runs `facts` without cooperative matrices on `device` (nil when it uses them,
    /// or the device has none): for `attngen devices --explain` and the manifests' notes.
    public static func cooperativeMatrixNote(for device: DeviceLimits, facts: KernelFacts) -> String? {
        guard let support = device.cooperativeMatrix else { return nil }
        if let unusable = support.unusable { return "cooperative matrices (\(support.form.rawValue)) not used: \(unusable)" }
        if facts.storage == .float32 {
            return "cooperative matrices not used: the spec stores float32 (their operands are the 16-bit storage type)"
        }
        if facts.storage == .bfloat16 {
            return "cooperative matrices not used: bfloat16 operands have no real form (GL_EXT_bfloat16 is unknown to glslang up to 13.1.1)"
        }
        if !support.shapes.contains(where: { $0.operand == facts.storage && $0.float32Accumulator }) {
            return "cooperative matrices not used: the device lists no \(facts.storage.rawValue) shape with float32 accumulators"
        }
        if cooperativeCandidates(for: device, facts: facts).isEmpty {
            return "cooperative matrices not used: no fragment tiling fits the work-group limit"
        }
        if let chosen = choose(for: device, facts: facts), chosen.matrix == nil {
            return "cooperative matrices not used: no fragment tiling fits \(device.sharedMemoryBytes) bytes of shared memory"
        }
        return nil
    }

    /// Why this cooperative-matrix strategy cannot run `facts` (nil when it can, or it is SIMT).
    func cooperativeProblem(with facts: KernelFacts) -> String? {
        guard let matrix else { return nil }
        if facts.storage != matrix.operand {
            return "cooperative matrices take the storage type as operands: \(matrix.operand.rawValue) operands, the spec stores \(facts.storage.rawValue)"
        }
        if vectorWidth != 1 { return "cooperative-matrix strategies hold strided columns (no w)" }
        if workgroupSize != matrix.workgroupSize {
            return "\(rowThreads)x\(keyThreads) invocations are not the \(matrix.subgroups) subgroups of \(matrix.lanes)"
        }
        if tileRows % matrix.m != 0 { return "\(tileRows) query rows are not whole \(matrix.m)-row fragments" }
        if blockKeys % matrix.n != 0 || blockKeys % matrix.k != 0 {
            return "\(blockKeys) keys per step are not whole fragments of \(matrix.n) columns and \(matrix.k) deep"
        }
        if matrix.form == .emulated && (matrix.m * matrix.n) % matrix.lanes != 0 {
            return "a \(matrix.m)x\(matrix.n) fragment does not split evenly over \(matrix.lanes) lanes"
        }
        return nil
    }

    /// Why this cooperative-matrix strategy cannot run on `device` (nil when it can, or it is
    /// SIMT): the real forms need the device's form, one of its shapes and its subgroup size.
    func cooperativeProblem(on device: DeviceLimits) -> String? {
        guard let matrix, matrix.form != .emulated else { return nil }
        if matrix.operand != .float16 {
            return "\(matrix.operand.rawValue) operands have no real form: GL_EXT_bfloat16 is unknown to glslang up to 13.1.1 (the emulated form runs them)"
        }
        guard let support = device.cooperativeMatrix, support.form == matrix.form else {
            return "the device has no \(matrix.form.rawValue.uppercased()) cooperative matrices (the emulated form runs anywhere)"
        }
        if let unusable = support.unusable { return unusable }
        guard support.shapes.contains(CooperativeMatrixShape(m: matrix.m, n: matrix.n, k: matrix.k, operand: matrix.operand, float32Accumulator: true)) else {
            return "the device lists no \(matrix.m)x\(matrix.n)x\(matrix.k) \(matrix.operand.rawValue) shape with float32 accumulators"
        }
        if matrix.lanes != support.subgroupSize { return "subgroups of \(matrix.lanes), the device's have \(support.subgroupSize)" }
        return nil
    }
}
