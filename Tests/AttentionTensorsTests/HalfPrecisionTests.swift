import CAttentionKernels
import Testing
@testable import AttentionTensors

/// The 16-bit conversions of every ISA this CPU has (scalar, AVX2/F16C, AVX-512) against Swift's
/// own Float16 (round to nearest even, as IEEE 754 and NumPy's astype) and against bfloat16
/// defined as the rounded upper half of a float32; lengths that are not whole vectors included.
@Suite struct HalfPrecisionTests {
    /// 1 scalar, 2 AVX2, 3 AVX-512: the ones this machine can run.
    static let isas = [1, 2, 3].filter { isa in
        var bits: UInt16 = 0, value: Float = 1
        return ag_convert_on_isa(Int32(isa), 1, &value, &bits, 1) == 0
    }

    static func widen(_ bits: [UInt16], isa: Int, bfloat: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: bits.count)
        #expect(ag_convert_on_isa(Int32(isa), bfloat ? 2 : 0, bits, &out, bits.count) == 0)
        return out
    }

    static func narrow(_ values: [Float], isa: Int, bfloat: Bool) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: values.count)
        #expect(ag_convert_on_isa(Int32(isa), bfloat ? 3 : 1, values, &out, values.count) == 0)
        return out
    }

    @Test(arguments: isas) func everyHalfPatternWidensExactly(isa: Int) {
        let patterns = Array(0...UInt16.max)
        for (pattern, widened) in zip(patterns, Self.widen(patterns, isa: isa, bfloat: false)) {
            let expected = Float(Float16(bitPattern: pattern))
            if expected.isNaN {
                #expect(widened.isNaN, "half pattern \(pattern)")
            } else {
                #expect(widened.bitPattern == expected.bitPattern, "half pattern \(pattern)")
            }
        }
    }

    @Test(arguments: isas) func narrowingMatchesFloat16RoundToNearestEven(isa: Int) {
        let values = Self.boundaryFloats + Self.sweep
        for (value, narrowed) in zip(values, Self.narrow(values, isa: isa, bfloat: false)) {
            let expected = Float16(value)
            if expected.isNaN {
                #expect(Float16(bitPattern: narrowed).isNaN, "\(value)")
            } else {
                #expect(narrowed == expected.bitPattern, "\(value) (pattern \(value.bitPattern))")
            }
        }
    }

    @Test(arguments: isas) func bfloat16IsTheRoundedUpperHalf(isa: Int) {
        let values = Self.boundaryFloats + Self.sweep
        let narrowed = Self.narrow(values, isa: isa, bfloat: true)
        for (value, bits) in zip(values, narrowed) {
            if value.isNaN {
                #expect(Float(bitPattern: UInt32(bits) << 16).isNaN, "NaN \(value.bitPattern)")
            } else {
                let raw = value.bitPattern
                #expect(bits == UInt16(truncatingIfNeeded: (raw &+ 0x7FFF &+ ((raw >> 16) & 1)) >> 16), "\(value)")
            }
        }
        for (bits, widened) in zip(narrowed, Self.widen(narrowed, isa: isa, bfloat: true)) {
            #expect(widened.bitPattern == UInt32(bits) << 16)
        }
    }

    /// Every length up to a few vectors, so each vector tail and mask is taken.
    @Test(arguments: isas) func raggedLengthsConvertLikeWholeOnes(isa: Int) {
        let values = Array(Self.boundaryFloats.filter { !$0.isNaN }.prefix(70))
        for bfloat in [false, true] {
            let whole = Self.narrow(values, isa: isa, bfloat: bfloat)
            for count in 0...values.count {
                #expect(Self.narrow(Array(values.prefix(count)), isa: isa, bfloat: bfloat) == Array(whole.prefix(count)), "\(count)")
                let widened = Self.widen(Array(whole.prefix(count)), isa: isa, bfloat: bfloat)
                #expect(widened == Self.widen(whole, isa: isa, bfloat: bfloat).prefix(count).map { $0 }, "\(count)")
            }
        }
    }

    static func exact(_ values: [Float], isa: Int, bfloat: Bool) -> Bool {
        var answer: Int32 = -1
        #expect(ag_convert_on_isa(Int32(isa), bfloat ? 5 : 4, values, &answer, values.count) == 0)
        return answer == 1
    }

    /// A float is exact in the type when narrowing then widening gives its bits back, NaNs
    /// (quiet, signalling, with payloads) included.
    @Test(arguments: isas) func exactnessIsTheRoundTrip(isa: Int) {
        let nans = [0x7FC0_0000, 0x7F80_0001, 0x7FA0_0000, 0xFFC0_2000, 0x7FC0_0001].map { Float(bitPattern: UInt32($0)) }
        // Long runs of exact values as well, so whole vectors take the plain bit tests.
        let halves = (UInt16(0)..<0x7C00).map { Float(Float16(bitPattern: $0)) }
        let bfloats = (UInt32(0)..<0x7F80).map { Float(bitPattern: $0 << 16) }
        let values = Self.boundaryFloats + Self.sweep + nans + halves + halves.map { -$0 } + bfloats
        for bfloat in [false, true] {
            let back = Self.widen(Self.narrow(values, isa: isa, bfloat: bfloat), isa: isa, bfloat: bfloat)
            let exactEach = zip(values, back).map { $0.bitPattern == $1.bitPattern }
            for (value, isExact) in zip(values, exactEach) {
                #expect(Self.exact([value], isa: isa, bfloat: bfloat) == isExact, "\(value.bitPattern)")
            }
            // Whole vectors too: every run of 16 and of 37 consecutive values, in order.
            for width in [16, 37] {
                for start in stride(from: 0, to: values.count, by: width) {
                    let run = start..<min(start + width, values.count)
                    #expect(Self.exact(Array(values[run]), isa: isa, bfloat: bfloat) == !exactEach[run].contains(false), "\(run)")
                }
            }
        }
    }

    /// One inexact float at any position of a ragged array is found; none, and the answer is yes.
    @Test(arguments: isas) func exactnessScansEveryPosition(isa: Int) {
        let exactValues = (0..<67).map { Float($0) / 4 - 8 }
        for bfloat in [false, true] {
            #expect(Self.exact(exactValues, isa: isa, bfloat: bfloat))
            #expect(Self.exact([], isa: isa, bfloat: bfloat))
            for position in exactValues.indices {
                var values = exactValues
                values[position] = 1 + 1 / 8192
                #expect(!Self.exact(values, isa: isa, bfloat: bfloat), "\(position)")
                #expect(Self.exact(Array(values[..<position]), isa: isa, bfloat: bfloat))
            }
        }
    }

    /// The strided form over a tile's rows answers what the single scan answers for each row,
    /// and reads nothing between the rows: ragged widths, a lane of any kind at any place.
    @Test(arguments: isas) func rowScansAnswerLikeEachRow(isa: Int) {
        let nans = [0x7FC0_0000, 0x7F80_0001, 0xFFC0_2000].map { Float(bitPattern: UInt32($0)) }
        let odd = Self.boundaryFloats.prefix(40) + nans + [0, -0, .infinity, 1 + 1 / 8192, 6e-8, 70000]
        let inexact: Float = 1 + 1 / 8192
        var rng = SystemRandomNumberGenerator()
        for bfloat in [false, true] {
            for width in [1, 7, 16, 31, 33, 64, 128] {
                let (rows, ld) = (5, width + 3)
                // Exact in both types: multiples of 1/4 in [-8, 8).
                var tile = (0..<(rows * ld)).map { Float(($0 * 7) % 64) / 4 - 8 }
                for r in 0..<rows { for x in width..<ld { tile[r * ld + x] = inexact } }  // never read
                #expect(ag_exact_rows_on_isa(Int32(isa), bfloat ? 1 : 0, tile, Int(rows), Int(width), Int(ld)) == 1, "\(width)")
                for _ in 0..<12 {
                    var changed = tile
                    let (r, x) = (Int.random(in: 0..<rows, using: &rng), Int.random(in: 0..<width, using: &rng))
                    changed[r * ld + x] = odd.randomElement(using: &rng)!
                    let expected = (0..<rows).allSatisfy { Self.exact(Array(changed[($0 * ld)..<($0 * ld + width)]), isa: isa, bfloat: bfloat) }
                    let answer = ag_exact_rows_on_isa(Int32(isa), bfloat ? 1 : 0, changed, Int(rows), Int(width), Int(ld))
                    #expect(answer == (expected ? 1 : 0), "width \(width), row \(r), column \(x): \(changed[r * ld + x].bitPattern)")
                }
            }
        }
    }

    @Test func elementTypeAPIUsesTheSameConversions() {
        let values = Self.boundaryFloats.filter { !$0.isNaN }
        for type in [ElementType.float16, .bfloat16] {
            let bits = type.narrowed(values)
            #expect(bits == Self.narrow(values, isa: 1, bfloat: type == .bfloat16))
            #expect(bits == values.map { type.bits($0) })
            #expect(type.widened(bits) == bits.map { type.value(ofBits: $0) })
        }
        #expect(ElementType.float16.holdsExactly(values, count: values.count) == Self.exact(values, isa: 1, bfloat: false))
        #expect(!ElementType.bfloat16.holdsExactly([1 + 1 / 512], count: 1))
        #expect(ElementType.float32.holdsExactly([1 + 1 / 8192], count: 1))
        #expect(ElementType.float32.narrowed(values).isEmpty)
        #expect(ElementType.float32.widened([1, 2]).isEmpty)
        #expect(ElementType.float16.bits(65520) == 0x7C00)
        #expect(ElementType.float16.value(ofBits: 1) == Float(bitPattern: 0x3380_0000))  // 2^-24, the least half subnormal
    }

    /// Every float near a half's rounding boundary (ties included), across the whole half range
    /// and past it: the halves, the midpoints between neighbours, and one float-ulp either side.
    static let boundaryFloats: [Float] = {
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 65504, 65519.99, 65520, 65536]
        for pattern in UInt16(0)..<0x7BFF {
            let low = Float(Float16(bitPattern: pattern))
            let middle = (low + Float(Float16(bitPattern: pattern + 1))) / 2
            for v in [low, middle, middle.nextDown, middle.nextUp] { values += [v, -v] }
        }
        return values
    }()

    /// Float bit patterns spread over all 2^32 (a prime stride, so every exponent and sign).
    static let sweep: [Float] = stride(from: UInt64(0), to: 1 << 32, by: 65_521).map { Float(bitPattern: UInt32($0)) }
}
