import AttentionRuntime
import CAttentionKernels
import Testing

/// The tile products, the mask-bit pass and the transpose of every ISA this CPU has against
/// float64 sums: ragged sizes around the vector widths and the 64-column and 128-deep panels,
/// leading dimensions wider than the rows, and B rows scattered (by pointer) in any order.
@Suite struct TileKernelTests {
    /// 1 scalar, 2 AVX2, 3 AVX-512: the ones this machine can run.
    static let isas = [1, 2, 3].filter { isa in
        var out: Float = 0
        return ag_transpose_on_isa(Int32(isa), 1, 1, [1], 1, &out, 1) == 0
    }

    /// (M, N, K) around the micro-tile (6 rows), vector (8, 16), panel (64) and depth (128) sizes.
    static let shapes = [(1, 1, 1), (5, 17, 3), (6, 16, 64), (7, 63, 65), (13, 64, 128), (12, 65, 129), (19, 130, 40), (64, 200, 64)]

    private struct Case {
        var rng: SeededGenerator
        let m, n, k: Int
        init(_ shape: (Int, Int, Int), seed: UInt64) {
            (m, n, k) = shape
            rng = SeededGenerator(seed: seed)
        }
        mutating func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &rng) } }
    }

    /// A permutation of 0..<count, so that row pointers are neither in order nor evenly spaced.
    private static func shuffled(_ count: Int, _ rng: inout SeededGenerator) -> [Int] {
        Array(0..<count).shuffled(using: &rng)
    }

    private static func close(_ got: Float, _ want: Double, terms: Int) -> Bool {
        abs(Double(got) - want) <= 1e-5 * Double(terms).squareRoot() * max(1, abs(want)) + 1e-6
    }

    @Test(arguments: isas) func scoresOverStridedAndPointedRows(isa: Int) {
        for (index, shape) in Self.shapes.enumerated() {
            var c = Case(shape, seed: UInt64(100 + index))
            let (lda, ldb, lds) = (c.k + 3, c.k + 5, c.n + 2)
            let a = c.values(c.m * lda), b = c.values(c.n * ldb)
            let alpha: Float = 0.125
            let order = Self.shuffled(c.n, &c.rng)
            for pointed in [false, true] {
                var s = [Float](repeating: .nan, count: c.m * lds)
                let status = b.withUnsafeBufferPointer { bp in
                    let rows: [UnsafePointer<Float>?] = order.map { bp.baseAddress! + $0 * ldb }
                    return ag_gemm_on_isa(
                        Int32(isa), pointed ? Int32(AG_GEMM_ABT_ROWS) : Int32(AG_GEMM_ABT), Int32(c.m), Int32(c.n), Int32(c.k), alpha, a,
                        Int32(lda), bp.baseAddress, Int32(ldb), rows, &s, Int32(lds))
                }
                #expect(status == 0)
                for i in 0..<c.m {
                    for j in 0..<c.n {
                        let row = pointed ? order[j] : j
                        let want = Double(alpha) * (0..<c.k).reduce(0.0) { $0 + Double(a[i * lda + $1]) * Double(b[row * ldb + $1]) }
                        #expect(Self.close(s[i * lds + j], want, terms: c.k), "isa \(isa) \(shape) pointed \(pointed) [\(i), \(j)]")
                    }
                    // Columns past N are the caller's and stay untouched.
                    for j in c.n..<lds { #expect(s[i * lds + j].isNaN) }
                }
            }
        }
    }

    @Test(arguments: isas) func accumulationOverStridedAndPointedRows(isa: Int) {
        for (index, shape) in Self.shapes.enumerated() {
            // Here N is the value width and K the key count: C[M x N] += A[M x K] · B[K x N].
            var c = Case(shape, seed: UInt64(200 + index))
            let (lda, ldb, ldc) = (c.k + 1, c.n + 7, c.n + 3)
            let a = c.values(c.m * lda), b = c.values(c.k * ldb), start = c.values(c.m * ldc)
            let order = Self.shuffled(c.k, &c.rng)
            for pointed in [false, true] {
                var out = start
                let status = b.withUnsafeBufferPointer { bp in
                    let rows: [UnsafePointer<Float>?] = order.map { bp.baseAddress! + $0 * ldb }
                    return ag_gemm_on_isa(
                        Int32(isa), pointed ? Int32(AG_GEMM_AB_ACC_ROWS) : Int32(AG_GEMM_AB_ACC), Int32(c.m), Int32(c.n), Int32(c.k), 1, a,
                        Int32(lda), bp.baseAddress, Int32(ldb), rows, &out, Int32(ldc))
                }
                #expect(status == 0)
                for i in 0..<c.m {
                    for j in 0..<ldc {
                        guard j < c.n else {
                            #expect(out[i * ldc + j] == start[i * ldc + j])
                            continue
                        }
                        let want = Double(start[i * ldc + j])
                            + (0..<c.k).reduce(0.0) { $0 + Double(a[i * lda + $1]) * Double(b[(pointed ? order[$1] : $1) * ldb + j]) }
                        #expect(Self.close(out[i * ldc + j], want, terms: c.k + 1), "isa \(isa) \(shape) pointed \(pointed) [\(i), \(j)]")
                    }
                }
            }
        }
    }

    @Test(arguments: isas) func maskBitsHideExactlyTheClearedKeys(isa: Int) {
        var rng = SeededGenerator(seed: 7)
        for (rows, columns) in [(1, 1), (3, 7), (6, 16), (5, 33), (9, 70)] {
            let words = (columns + 15) / 16 + 1  // a spare word a row: rows need not be packed tightly
            let bits = (0..<rows * words).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
            let lds = columns + 4
            let scores = (0..<rows * lds).map { $0 % 5 == 0 ? Float.nan : Float($0) }
            var masked = scores
            #expect(ag_mask_bits_on_isa(Int32(isa), Int32(rows), Int32(columns), &masked, Int32(lds), bits, Int32(words)) == 0)
            for r in 0..<rows {
                for j in 0..<lds {
                    let shown = j >= columns || (bits[r * words + j / 16] >> UInt16(j % 16)) & 1 == 1
                    let (got, given) = (masked[r * lds + j], scores[r * lds + j])
                    if shown {
                        #expect(got.bitPattern == given.bitPattern, "isa \(isa) [\(r), \(j)] kept")
                    } else {
                        // Hidden wins over NaN: a masked key never reaches the softmax.
                        #expect(got == -.infinity, "isa \(isa) [\(r), \(j)] hidden")
                    }
                }
            }
        }
    }

    @Test(arguments: isas) func transposeMovesEveryElementAndNothingElse(isa: Int) {
        for (m, n) in [(1, 1), (3, 5), (8, 8), (16, 16), (17, 9), (64, 64), (70, 33), (130, 20)] {
            let (lda, ldb) = (n + 3, m + 5)
            let a = (0..<m * lda).map { Float($0) }
            var b = [Float](repeating: -1, count: n * ldb)
            #expect(ag_transpose_on_isa(Int32(isa), Int32(m), Int32(n), a, Int32(lda), &b, Int32(ldb)) == 0)
            for j in 0..<n {
                for i in 0..<ldb { #expect(b[j * ldb + i] == (i < m ? a[i * lda + j] : -1), "isa \(isa) \(m)x\(n) [\(j), \(i)]") }
            }
        }
    }
}
