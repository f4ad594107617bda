import AttentionSpec

/// The backward pass computed the obvious way (FlashAttention-2's equations, one query row at
/// a time, `MaskPredicate` deciding visibility). In `Double` it is the reference every
/// backend's gradients are measured against; in `Float` it is the same-precision baseline of
/// the tolerance rule.
///
/// Per row `i` (scaled scores `s`, `P = softmax(s)` over the visible keys, upstream gradient
/// `dO`): `dP_ij = dO_i·V_j`, `D_i = Σ_j P_ij·dP_ij` (= `dO_i·O_i`), `dS_ij = P_ij·(dP_ij − D_i)`,
/// `dQ_i = scale·Σ_j dS_ij·K_j`, `dK_j += scale·dS_ij·Q_i`, `dV_j += P_ij·dO_i`. With GQA, `dK`
/// and `dV` sum over the query heads that share a kv head. A softcap multiplies `dS` by its
/// derivative `1 − tanh²(s / softcap)`; ALiBi, being additive, changes only `s`. A row that sees no key contributes
/// nothing; NaN scores make their row's contributions NaN.
public enum NaiveGradients {
    public struct Result<T: NaiveScalar> {
        /// `[batch, *queryShape, heads, headDim]`, `[batch, *keyShape, kvHeads, headDim]` and
        /// `[batch, *keyShape, kvHeads, valueDim]`, flat.
        public var dq: [T]
        public var dk: [T]
        public var dv: [T]
        /// The largest |scaled score| over visible pairs (finite scores only).
        public var maxLogit: T
    }

    public static func compute<T: NaiveScalar>(
        _ spec: AttentionSpec, q: [Float], k: [Float], v: [Float], bias: [Float]? = nil, dOutput: [Float], as: T.Type
    ) -> Result<T> {
        let p = spec.problem
        let predicate = MaskPredicate(mask: spec.mask, problem: p)
        let (sq, sk, d, dvWidth) = (p.queryTokens, p.keyTokens, p.headDim, p.valueDim)
        let scale = T(p.effectiveScale)
        var result = Result<T>(
            dq: [T](repeating: 0, count: p.batch * sq * p.heads * d), dk: [T](repeating: 0, count: p.batch * sk * p.kvHeads * d),
            dv: [T](repeating: 0, count: p.batch * sk * p.kvHeads * dvWidth), maxLogit: 0)
        var scores = [T](repeating: 0, count: sk)
        var probabilities = [T](repeating: 0, count: sk)
        let capSlopes = UnsafeMutablePointer<T>.allocate(capacity: max(sk, 1))
        capSlopes.initialize(repeating: 1, count: max(sk, 1))
        defer { capSlopes.deallocate() }
        for b in 0..<p.batch {
            for i in 0..<sq {
                let visible = (0..<sk).filter { predicate.allows(query: i, key: $0) }
                for h in 0..<p.heads {
                    let rowMax = NaiveAttention.scoreRow(
                        spec, batch: b, query: i, head: h, visible: visible, q: q, k: k, bias: bias, scale: scale, into: &scores,
                        capSlopes: capSlopes, maxLogit: &result.maxLogit)
                    guard rowMax != -.infinity else { continue }
                    let kvh = p.kvHead(forQueryHead: h)
                    let qBase = ((b * sq + i) * p.heads + h) * d
                    let doBase = ((b * sq + i) * p.heads + h) * dvWidth
                    var sum: T = 0
                    for j in visible {
                        probabilities[j] = T.exp(scores[j] - rowMax)
                        sum += probabilities[j]
                    }
                    // dP_ij = dO_i·V_j, then D_i = Σ P_ij·dP_ij.
                    var rowD: T = 0
                    for j in visible {
                        probabilities[j] /= sum
                        let vBase = ((b * sk + j) * p.kvHeads + kvh) * dvWidth
                        var dot: T = 0
                        for x in 0..<dvWidth { dot += T(dOutput[doBase + x]) * T(v[vBase + x]) }
                        scores[j] = dot  // reuse: scores now holds dP
                        rowD += probabilities[j] * dot
                    }
                    for j in visible {
                        let weight = probabilities[j]
                        // The softcap's chain rule: d(softcap·tanh(s/softcap))/ds = 1 − tanh² (1 without one).
                        let dS = weight * (scores[j] - rowD) * scale * capSlopes[j]
                        let kBase = ((b * sk + j) * p.kvHeads + kvh) * d
                        let vBase = ((b * sk + j) * p.kvHeads + kvh) * dvWidth
                        for x in 0..<d {
                            result.dq[qBase + x] += dS * T(k[kBase + x])
                            result.dk[kBase + x] += dS * T(q[qBase + x])
                        }
                        for x in 0..<dvWidth { result.dv[vBase + x] += weight * T(dOutput[doBase + x]) }
                    }
                }
            }
        }
        return result
    }
}
