import AttentionPlan
import AttentionSpec
import Testing

struct PlanRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}

/// Classifies every tile pair by checking every (query, key) pair with `MaskPredicate`.
func bruteForceVisits(_ plan: TilePlan) -> [[KeyTileVisit]] {
    let predicate = MaskPredicate(mask: plan.spec.mask, problem: plan.spec.problem)
    return (0..<plan.queryTiles.count).map { qt in
        let queries = plan.queryTiles.tokens(of: qt)
        return (0..<plan.keyTiles.count).compactMap { kt in
            let keys = plan.keyTiles.tokens(of: kt)
            var allowed = 0
            for q in queries { for k in keys where predicate.allows(query: q, key: k) { allowed += 1 } }
            guard allowed > 0 else { return nil }
            return KeyTileVisit(keyTile: kt, tileClass: allowed == queries.count * keys.count ? .full : .partial)
        }
    }
}

func randomSpec(using rng: inout PlanRNG) throws -> AttentionSpec {
    let rank = Int.random(in: 1...3, using: &rng)
    let longest = rank == 1 ? 40 : 9
    var shape: [Int] = [], keyShape: [Int] = [], queryTile: [Int] = [], keyTile: [Int] = []
    for _ in 0..<rank {
        shape.append(Int.random(in: 1...longest, using: &rng))
        keyShape.append(Int.random(in: 1...(shape.last! + 3), using: &rng))
        queryTile.append(Int.random(in: 1...4, using: &rng))
        keyTile.append(Int.random(in: 1...4, using: &rng))
    }
    var spec = AttentionSpec.attention(heads: 1, headDim: 8, tokens: shape, keyTokens: keyShape).tiled(query: queryTile, key: keyTile)
    if Int.random(in: 0..<7, using: &rng) == 0 {
        // Packed sequences, some empty on either side, under a random window.
        let sequences = Int.random(in: 1...5, using: &rng)
        let lengths = VariableLengths(
            queryLengths: (0..<sequences).map { _ in Int.random(in: 0...9, using: &rng) },
            keyLengths: (0..<sequences).map { _ in Int.random(in: 0...12, using: &rng) },
            left: Int.random(in: -1...5, using: &rng), right: Int.random(in: -1...3, using: &rng))
        spec.problem.queryShape = [max(1, lengths.queryOffsets.last!)]
        spec.problem.keyShape = [max(1, lengths.keyOffsets.last!)]
        var padded = lengths
        if padded.queryOffsets.last == 0 { padded.queryOffsets.append(1); padded.keyOffsets.append(padded.keyOffsets.last!) }
        if padded.keyOffsets.last == 0 { padded.keyOffsets.append(1); padded.queryOffsets.append(padded.queryOffsets.last!) }
        return try spec.masked(.varlen(padded)).tiled(query: [queryTile[0]], key: [keyTile[0]]).validated()
    }
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: spec = spec.masked(.dense)
    case 1: spec = spec.masked(.causal)
    case 2:
        spec = spec.masked(.slidingWindow(left: Int.random(in: -1...6, using: &rng), right: Int.random(in: -1...4, using: &rng)))
    case 3:
        var qb: [Int] = [], kb: [Int] = []
        for _ in 0..<rank {
            qb.append(Int.random(in: 1...4, using: &rng))
            kb.append(Int.random(in: 1...4, using: &rng))
        }
        let qBlocks = BlockGrid(grid: TokenGrid(shape), block: qb).count
        let kBlocks = BlockGrid(grid: TokenGrid(keyShape), block: kb).count
        var rows: [[Int]] = []
        for _ in 0..<qBlocks {
            var row: [Int] = []
            for kb in 0..<kBlocks where Bool.random(using: &rng) { row.append(kb) }
            rows.append(row)
        }
        spec = spec.masked(.blockSparse(BlockSparseLayout(
            queryBlock: qb, keyBlock: kb, kvIndices: rows, causal: Bool.random(using: &rng)))).tiled(query: queryTile, key: keyTile)
    default:
        spec.problem.keyShape = shape
        var axes: [NeighborhoodAxis] = []
        for length in shape {
            let dilation = Int.random(in: 1...max(1, min(3, length)), using: &rng)
            let window = Int.random(in: 1...(length / dilation), using: &rng)
            axes.append(NeighborhoodAxis(
                window: window, stride: Int.random(in: 1...window, using: &rng), dilation: dilation,
                causal: Bool.random(using: &rng)))
        }
        spec = spec.masked(.neighborhood(axes))
    }
    return try spec.validated()
}

@Suite struct TilePlanTests {
    @Test func classificationMatchesBruteForceOnRandomSpecs() throws {
        var rng = PlanRNG(state: 2024)
        for _ in 0..<250 {
            let spec = try randomSpec(using: &rng)
            let plan = try TilePlan(spec)
            let expected = bruteForceVisits(plan)
            var summary = (visited: 0, full: 0, elements: 0)
            for qt in 0..<plan.queryTiles.count {
                #expect(plan.visits(forQueryTile: qt) == expected[qt], "\(spec.summary) query tile \(qt)")
                summary.visited += expected[qt].count
                summary.full += expected[qt].filter { $0.tileClass == .full }.count
            }
            let predicate = MaskPredicate(mask: spec.mask, problem: spec.problem)
            var allowed = 0
            for q in 0..<spec.problem.queryTokens { for k in 0..<spec.problem.keyTokens where predicate.allows(query: q, key: k) { allowed += 1 } }
            let s = plan.summary()
            #expect(s.visitedTilePairs == summary.visited, "\(spec.summary)")
            #expect(s.fullTilePairs == summary.full, "\(spec.summary)")
            #expect(s.allowedPairs == allowed, "\(spec.summary)")
            #expect(s.queryTiles == plan.queryTiles.count && s.keyTiles == plan.keyTiles.count)
        }
    }

    @Test func tilesCoverEveryTokenOnce() throws {
        var rng = PlanRNG(state: 99)
        for _ in 0..<100 {
            let plan = try TilePlan(randomSpec(using: &rng))
            let queries = (0..<plan.queryTiles.count).flatMap { plan.queryTiles.tokens(of: $0) }
            #expect(queries.sorted() == Array(0..<plan.spec.problem.queryTokens))
            let keys = (0..<plan.keyTiles.count).flatMap { plan.keyTiles.tokens(of: $0) }
            #expect(keys.sorted() == Array(0..<plan.spec.problem.keyTokens))
        }
    }

    @Test func causalDiagonalIsPartialBelowIsFullAboveIsSkipped() throws {
        let plan = try TilePlan(AttentionSpec.attention(heads: 1, headDim: 64, tokens: [512]).masked(.causal).tiled(query: [64], key: [64]))
        for qt in 0..<8 {
            let visits = plan.visits(forQueryTile: qt)
            #expect(visits.map(\.keyTile) == Array(0...qt))
            #expect(visits.last?.tileClass == .partial)
            #expect(visits.dropLast().allSatisfy { $0.tileClass == .full })
        }
    }

    @Test func windowEqualToTheGridIsDense() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 32, tokens: [12, 10, 6])
            .masked(.neighborhood(window: [12, 10, 6])).tiled(query: [4, 4, 4], key: [4, 3, 4])
        let s = try TilePlan(spec).summary()
        #expect(s.fullTilePairs == s.visitedTilePairs)
        #expect(s.visitedTilePairs == s.queryTiles * s.keyTiles)
        #expect(s.flopSpeedupBound == 1 && s.tileSpeedupBound == 1)
    }

    /// NATTEN's documentation: for 1-D length 32768, window 2048, query tile 256 and key tile 128,
    /// stride 256 is the smallest stride that makes every visited tile FULL.
    @Test func smallestMaskFreeStrideMatchesNATTEN() throws {
        func plan(stride: Int) throws -> PlanSummary {
            try TilePlan(AttentionSpec.attention(heads: 1, headDim: 64, tokens: [32768])
                .masked(.neighborhood(window: [2048], stride: [stride])).tiled(query: [256], key: [128])).summary()
        }
        #expect(try plan(stride: 256).isMaskFree)
        for stride in [1, 2, 16, 64, 128, 192, 255] { #expect(try !plan(stride: stride).isMaskFree, "stride \(stride)") }
        let sliding = try plan(stride: 1)
        #expect(abs(sliding.flopSpeedupBound - 16) < 1e-9)
        #expect(sliding.tileSpeedupBound < 16)
    }

    @Test func dilationGroupsAreTiledAsSubGrids() throws {
        // Dilation 2 on a 16-token axis: groups {0,2,...} and {1,3,...}, 8 tokens each, tiles of 4.
        let spec = try AttentionSpec.attention(heads: 1, headDim: 8, tokens: [16]).masked(.neighborhood(window: [4], dilation: [2]))
            .tiled(query: [4], key: [4])
        let plan = try TilePlan(spec)
        #expect(plan.queryTiles.count == 4)
        #expect(plan.queryTiles.tokens(of: 0) == [0, 2, 4, 6])
        #expect(plan.queryTiles.tokens(of: 2) == [1, 3, 5, 7])
        // Query tiles never meet key tiles of the other group.
        #expect(plan.visits(forQueryTile: 0).allSatisfy { $0.keyTile < 2 })
        #expect(plan.visits(forQueryTile: 3).allSatisfy { $0.keyTile >= 2 })
    }
}
