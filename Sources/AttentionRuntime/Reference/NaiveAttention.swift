import AttentionSpec
import AttentionTensors
import Foundation

/// Arithmetic a naive attention can be computed in (Float for same-precision baselines,
/// Double for the reference).
public protocol NaiveScalar: BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
}

extension Float: NaiveScalar {
    public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    public static func log(_ x: Float) -> Float { Foundation.log(x) }
    public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
}

extension Double: NaiveScalar {
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
}

/// Attention computed the obvious way, one query row at a time, with `MaskPredicate` deciding
/// visibility. In `Double` it is the reference every backend is measured against; in `Float`
/// it is the same-precision baseline of the tolerance rule.
public enum NaiveAttention {
    /// Output `[batch, *queryShape, heads, valueDim]` and natural-log log-sum-exp
    /// `[batch, *queryShape, heads]`, flat. A row with no visible key gives 0 and −inf; a row
    /// with a NaN score (NaN or infinities in q or k) gives NaN output and lse.
    /// `q`, `k`, `v` must have the spec's shapes (flat C order). `maxLogit` is the largest
    /// |scaled score| over visible pairs (finite scores only).
    /// `bias`: the spec's score bias (`ScoreBias`), float32, when it has one.
    /// `probabilities`: the type the weights `exp(s − max)` are rounded to before they are
    /// summed and multiplied by V (a tensor-core backend's P operand); float32 leaves them as computed.
    public static func compute<T: NaiveScalar>(
        _ spec: AttentionSpec, q: [Float], k: [Float], v: [Float], bias: [Float]? = nil, as: T.Type,
        probabilities: ElementType = .float32
    ) -> (output: [T], lse: [T], maxLogit: T) {
        let p = spec.problem
        // A paged cache is read through its page table: gather the pools into [batch, keys, …].
        let (k, v) = spec.logicalKeysAndValues(k, v)
        let predicate = MaskPredicate(mask: spec.mask, problem: p)
        let (sq, sk, dv) = (p.queryTokens, p.keyTokens, p.valueDim)
        let scale = T(p.effectiveScale)
        var output = [T](repeating: 0, count: p.batch * sq * p.heads * dv)
        var lse = [T](repeating: -.infinity, count: p.batch * sq * p.heads)
        var scores = [T](repeating: 0, count: sk)
        var maxLogit: T = 0
        for b in 0..<p.batch {
            for i in 0..<sq {
                let visible = (0..<sk).filter { predicate.allows(query: i, key: $0) }
                for h in 0..<p.heads {
                    let rowMax = scoreRow(
                        spec, batch: b, query: i, head: h, visible: visible, q: q, k: k, bias: bias, scale: scale, into: &scores,
                        maxLogit: &maxLogit)
                    guard rowMax != -.infinity else { continue }
                    let kvh = p.kvHead(forQueryHead: h)
                    var sum: T = 0
                    let oBase = ((b * sq + i) * p.heads + h) * dv
                    for j in visible {
                        var weight = T.exp(scores[j] - rowMax)
                        if probabilities != .float32 { weight = T(probabilities.rounded(Float(weight))) }
                        sum += weight
                        let vBase = ((b * sk + j) * p.kvHeads + kvh) * dv
                        for x in 0..<dv { output[oBase + x] += weight * T(v[vBase + x]) }
                    }
                    for x in 0..<dv { output[oBase + x] /= sum }
                    lse[(b * sq + i) * p.heads + h] = rowMax + T.log(sum)
                }
            }
        }
        return (output, lse, maxLogit)
    }

    /// The scaled, modified scores (`ScoreModifiers`) of query `query`, head `head` against its
    /// `visible` keys, into `scores[j]`, and where `capSlopes` is given the softcap's derivative
    /// `1 − tanh²` into `capSlopes[j]`; returns the row's maximum (−∞ when no key is visible),
    /// NaN-sticky: a NaN score makes the whole row NaN (NaN in, NaN out). `maxLogit` grows to the
    /// largest finite |score|, before or after the modifiers.
    static func scoreRow<T: NaiveScalar>(
        _ spec: AttentionSpec, batch b: Int, query i: Int, head h: Int, visible: [Int], q: [Float], k: [Float], bias: [Float]?, scale: T,
        into scores: inout [T], capSlopes: UnsafeMutablePointer<T>? = nil, maxLogit: inout T
    ) -> T {
        let p = spec.problem
        let (sq, sk, d) = (p.queryTokens, p.keyTokens, p.headDim)
        let softcap = spec.scores.softcap.map { T($0) }
        let slope = spec.scores.alibiSlopes.map { T($0[h]) }
        let kvh = p.kvHead(forQueryHead: h)
        let qBase = ((b * sq + i) * p.heads + h) * d
        var rowMax = -T.infinity
        for j in visible {
            let kBase = ((b * sk + j) * p.kvHeads + kvh) * d
            var dot: T = 0
            for x in 0..<d { dot += T(q[qBase + x]) * T(k[kBase + x]) }
            var score = dot * scale
            if score.isFinite { maxLogit = max(maxLogit, abs(score)) }
            if let softcap {
                let t = T.tanh(score / softcap)
                score = softcap * t
                capSlopes?[j] = 1 - t * t
            }
            if let slope { score -= slope * T(abs(spec.alibiDiagonal(query: i) - j)) }
            if let layout = spec.scores.bias, let bias { score += T(bias[layout.index(batch: b, head: h, query: i, key: j, problem: p)]) }
            scores[j] = score
            if scores[j].isNaN || scores[j] > rowMax { rowMax = rowMax.isNaN ? rowMax : scores[j] }
            if scores[j].isFinite { maxLogit = max(maxLogit, abs(scores[j])) }
        }
        return rowMax
    }
}
