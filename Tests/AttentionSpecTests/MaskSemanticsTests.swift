import AttentionSpec
import Testing

/// An independent reading of DESIGN.md's per-axis neighborhood rules, written as a search over
/// keys rather than as a closed form, to check `NeighborhoodAxis.keyWindow` against.
private func bruteForceVisible(_ a: NeighborhoodAxis, length: Int, query i: Int) -> Set<Int> {
    let members = (0..<length).filter { $0 % a.dilation == i % a.dilation }  // i's dilation group, in order
    let n = members.count
    let local = members.firstIndex(of: i)!
    var keys: [Int] = []
    if a.causal {
        let leader = min(local - local % a.stride + a.stride - 1, n - 1)
        keys = (0...local).filter { $0 > leader - a.window }
    } else {
        let leader = min(local - local % a.stride + a.stride / 2, n - 1)
        var start = leader - a.window / 2
        if start < 0 { start = 0 }  // shift inward at the left border
        if start + a.window > n { start = n - a.window }  // and at the right border
        keys = Array(start..<(start + a.window))
    }
    return Set(keys.map { members[$0] })
}

private func randomAxis(length: Int, using rng: inout some RandomNumberGenerator) -> NeighborhoodAxis {
    let dilation = Int.random(in: 1...max(1, min(4, length)), using: &rng)
    let window = Int.random(in: 1...(length / dilation), using: &rng)
    return NeighborhoodAxis(
        window: window, stride: Int.random(in: 1...window, using: &rng), dilation: dilation, causal: Bool.random(using: &rng))
}

struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}

@Suite struct NeighborhoodAxisTests {
    @Test func windowMatchesBruteForceOnRandomAxes() {
        var rng = TestRNG(state: 42)
        for _ in 0..<400 {
            let length = Int.random(in: 1...40, using: &rng)
            let axis = randomAxis(length: length, using: &rng)
            for i in 0..<length {
                let expected = bruteForceVisible(axis, length: length, query: i)
                let found = Set((0..<length).filter { axis.allows(query: i, key: $0, length: length) })
                #expect(found == expected, "\(axis) L=\(length) i=\(i)")
            }
        }
    }

    @Test func nonCausalQueriesSeeExactlyWindowKeys() {
        var rng = TestRNG(state: 7)
        for _ in 0..<300 {
            let length = Int.random(in: 1...50, using: &rng)
            var axis = randomAxis(length: length, using: &rng)
            axis.causal = false
            for i in 0..<length {
                #expect((0..<length).filter { axis.allows(query: i, key: $0, length: length) }.count == axis.window)
            }
        }
    }

    @Test func causalQueriesNeverSeeLaterKeys() {
        var rng = TestRNG(state: 9)
        for _ in 0..<300 {
            let length = Int.random(in: 1...50, using: &rng)
            var axis = randomAxis(length: length, using: &rng)
            axis.causal = true
            for i in 0..<length {
                let keys = (0..<length).filter { axis.allows(query: i, key: $0, length: length) }
                #expect(keys.allSatisfy { $0 <= i })
                #expect(keys.contains(i), "a causal query always sees itself")
            }
        }
    }

    @Test func windowEqualToLengthIsDense() {
        for length in 1...20 {
            let axis = NeighborhoodAxis(window: length)
            for i in 0..<length {
                #expect((0..<length).allSatisfy { axis.allows(query: i, key: $0, length: length) })
            }
        }
    }

    @Test func strideEqualToWindowGivesDisjointBlocks() {
        for window in 1...8 {
            for blocks in 1...5 {
                let length = window * blocks
                let axis = NeighborhoodAxis(window: window, stride: window)
                for i in 0..<length {
                    let keys = Set((0..<length).filter { axis.allows(query: i, key: $0, length: length) })
                    let block = i / window
                    #expect(keys == Set((block * window)..<((block + 1) * window)))
                }
            }
        }
    }

    @Test func bordersShiftInward() {
        let axis = NeighborhoodAxis(window: 5)
        #expect(axis.keyWindow(query: 0, length: 10) == (0, 4))
        #expect(axis.keyWindow(query: 9, length: 10) == (5, 9))
        #expect(axis.keyWindow(query: 5, length: 10) == (3, 7))
        let dilated = NeighborhoodAxis(window: 3, dilation: 2)
        // Group 1 is {1, 3, 5, 7, 9}; query 1 (local 0) shifts inward to local 0...2.
        #expect(dilated.keyWindow(query: 1, length: 10) == (1, 5))
        let strided = NeighborhoodAxis(window: 4, stride: 2)
        // Queries 2 and 3 share leader 3 (2 + 2 div 2), centre 3: keys 1...4.
        #expect(strided.keyWindow(query: 2, length: 12) == (1, 4))
        #expect(strided.keyWindow(query: 3, length: 12) == (1, 4))
    }
}

@Suite struct MaskPredicateTests {
    private func problem(_ q: [Int], _ k: [Int]? = nil) -> AttentionProblem {
        AttentionProblem(heads: 1, headDim: 8, queryShape: q, keyShape: k)
    }

    @Test func multiAxisNeighborhoodIsTheProductOfAxes() throws {
        var rng = TestRNG(state: 3)
        for _ in 0..<60 {
            let rank = Int.random(in: 1...3, using: &rng)
            let shape = (0..<rank).map { _ in Int.random(in: 1...7, using: &rng) }
            let axes = shape.map { randomAxis(length: $0, using: &rng) }
            let p = problem(shape)
            let predicate = MaskPredicate(mask: .neighborhood(axes), problem: p)
            let grid = TokenGrid(shape)
            for query in 0..<grid.count {
                for key in 0..<grid.count {
                    let (qc, kc) = (grid.coordinates(of: query), grid.coordinates(of: key))
                    let expected = (0..<rank).allSatisfy {
                        bruteForceVisible(axes[$0], length: shape[$0], query: qc[$0]).contains(kc[$0])
                    }
                    #expect(predicate.allows(query: query, key: key) == expected)
                }
            }
        }
    }

    @Test func causalIsBottomRightAligned() {
        // 3 queries over 5 keys: query 0 sees keys 0...2 (FlashAttention's convention).
        let predicate = MaskPredicate(mask: .causal, problem: problem([3], [5]))
        #expect((0..<5).filter { predicate.allows(query: 0, key: $0) } == [0, 1, 2])
        #expect((0..<5).filter { predicate.allows(query: 2, key: $0) } == [0, 1, 2, 3, 4])
        // 5 queries over 3 keys: queries 0 and 1 see nothing.
        let tall = MaskPredicate(mask: .causal, problem: problem([5], [3]))
        #expect((0..<3).filter { tall.allows(query: 1, key: $0) }.isEmpty)
        #expect((0..<3).filter { tall.allows(query: 2, key: $0) } == [0])
    }

    @Test func slidingWindowBounds() {
        let predicate = MaskPredicate(mask: .slidingWindow(left: 2, right: 1), problem: problem([10]))
        #expect((0..<10).filter { predicate.allows(query: 5, key: $0) } == [3, 4, 5, 6])
        let leftOnly = MaskPredicate(mask: .slidingWindow(left: -1, right: 0), problem: problem([10]))
        #expect((0..<10).filter { leftOnly.allows(query: 4, key: $0) } == [0, 1, 2, 3, 4])
    }

    @Test func blockSparseListsBlocksAndAppliesCausal() {
        let layout = BlockSparseLayout(queryBlock: [4], keyBlock: [4], kvIndices: [[0], [1, 2]], causal: false)
        let predicate = MaskPredicate(mask: .blockSparse(layout), problem: problem([8], [12]))
        #expect((0..<12).filter { predicate.allows(query: 1, key: $0) } == [0, 1, 2, 3])
        #expect((0..<12).filter { predicate.allows(query: 6, key: $0) } == Array(4..<12))
        var causal = layout
        causal.causal = true
        let masked = MaskPredicate(mask: .blockSparse(causal), problem: problem([8], [12]))
        // Query 6 of 8 over 12 keys: causal limit 6 + 4 = 10.
        #expect((0..<12).filter { masked.allows(query: 6, key: $0) } == Array(4...10))
    }
}

@Suite struct MaskTileTests {
    /// `maskTile` must agree with `allows` element by element, for every mask kind.
    @Test func maskTileAgreesWithAllows() throws {
        var rng = TestRNG(state: 77)
        let masks: [(shape: [Int], keyShape: [Int], mask: AttentionMask)] = [
            ([9], [13], .causal), ([9], [13], .slidingWindow(left: 3, right: 1)), ([13], [9], .slidingWindow(left: -1, right: 2)),
            ([4, 5], [4, 5], .causal), ([7, 8], [7, 8], try .neighborhood(window: [3, 4], stride: [2, 1], dilation: [2, 1], causal: [true, false])),
            ([5, 6, 7], [5, 6, 7], try .neighborhood(window: [2, 3, 3], stride: [1, 3, 1], dilation: [2, 1, 2], causal: [false, false, true])),
            // Undilated last axes: the masks work run by run there.
            ([9, 11], [9, 11], try .neighborhood(window: [5, 7])),
            ([4, 6, 9], [4, 6, 9], try .neighborhood(window: [3, 3, 4], stride: [1, 2, 1], dilation: [1, 2, 1], causal: [true, false, false])),
            ([17], [17], try .neighborhood(window: [6], stride: [3])),
            ([8], [8], .blockSparse(BlockSparseLayout(queryBlock: [4], keyBlock: [2], kvIndices: [[0, 3], [1]], causal: true))),
            ([6], [6], .dense),
        ]
        for c in masks {
            let problem = AttentionProblem(heads: 1, headDim: 4, queryShape: c.shape, keyShape: c.keyShape)
            let predicate = MaskPredicate(mask: c.mask, problem: problem)
            for trial in 0..<30 {
                // Random subsets (short runs), then long runs of consecutive tokens, as box tiles and
                // 1-D tiles give them (rows that wrap, and runs cut by a gap).
                let queries = trial < 20
                    ? (0..<problem.queryTokens).filter { _ in Bool.random(using: &rng) }
                    : Array(Int.random(in: 0..<problem.queryTokens, using: &rng)..<problem.queryTokens)
                let gap = Int.random(in: 0..<problem.keyTokens, using: &rng)
                let keys = trial < 20
                    ? (0..<problem.keyTokens).filter { _ in Bool.random(using: &rng) }
                    : (0..<problem.keyTokens).filter { $0 < gap || $0 > gap + 2 }
                var scores = [Float](repeating: 0, count: queries.count * (keys.count + 3))
                scores.withUnsafeMutableBufferPointer { predicate.maskTile(queries: queries, keys: keys, scores: $0.baseAddress!, ld: keys.count + 3, offset: 2) }
                for (r, q) in queries.enumerated() {
                    for (col, k) in keys.enumerated() {
                        #expect((scores[r * (keys.count + 3) + 2 + col] == 0) == predicate.allows(query: q, key: k), "\(c.mask) q \(q) k \(k)")
                    }
                }
            }
        }
    }

    /// `visibleKeys` drops only keys that no query of the set may see, `visibleQueries` only
    /// queries that see no key of the set; both keep the rest in order and trim nothing for
    /// masks other than neighborhoods.
    @Test func visibleKeysAndQueriesDropOnlyPairsNothingSees() throws {
        var rng = TestRNG(state: 78)
        let masks: [(shape: [Int], mask: AttentionMask)] = [
            ([13], try .neighborhood(window: [5], stride: [2], dilation: [2])),
            ([7, 8], try .neighborhood(window: [3, 4], stride: [2, 1], dilation: [2, 1], causal: [true, false])),
            ([5, 6, 7], try .neighborhood(window: [2, 3, 3], stride: [1, 3, 1], dilation: [2, 1, 2], causal: [false, false, true])),
        ]
        var trimmed = (keys: 0, queries: 0)
        for c in masks {
            let problem = AttentionProblem(heads: 1, headDim: 4, queryShape: c.shape, keyShape: c.shape)
            let predicate = MaskPredicate(mask: c.mask, problem: problem)
            for _ in 0..<80 {
                // A sparse set on one side and half of the other, each way round.
                let few = (0..<problem.queryTokens).filter { _ in Int.random(in: 0..<8, using: &rng) == 0 }
                let half = (0..<problem.keyTokens).filter { _ in Bool.random(using: &rng) }
                if let kept = predicate.visibleKeys(ofQueries: few, among: half) {
                    trimmed.keys += 1
                    #expect(kept.count < half.count && kept == half.filter(Set(kept).contains), "\(c.mask): kept keys out of order")
                    for key in Set(half).subtracting(kept) {
                        #expect(!few.contains { predicate.allows(query: $0, key: key) }, "\(c.mask): dropped key \(key) is visible")
                    }
                }
                if let kept = predicate.visibleQueries(ofKeys: few, among: half) {
                    trimmed.queries += 1
                    #expect(kept.count < half.count && kept == half.filter(Set(kept).contains), "\(c.mask): kept queries out of order")
                    for query in Set(half).subtracting(kept) {
                        #expect(!few.contains { predicate.allows(query: query, key: $0) }, "\(c.mask): dropped query \(query) sees a key")
                    }
                }
            }
        }
        #expect(trimmed.keys > 20 && trimmed.queries > 20)
        let causal = MaskPredicate(mask: .causal, problem: AttentionProblem(heads: 1, headDim: 4, queryShape: [8], keyShape: [8]))
        #expect(causal.visibleKeys(ofQueries: [0], among: Array(0..<8)) == nil)
        #expect(causal.visibleQueries(ofKeys: [7], among: Array(0..<8)) == nil)
    }
}
