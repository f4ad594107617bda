import AttentionPlan
import AttentionSpec
import Testing

@Suite struct TransposedPlanTests {
    static let specs: [AttentionSpec] = [
        try! AttentionSpec.attention(heads: 2, headDim: 8, tokens: [37], keyTokens: [53]).masked(.causal).tiled(query: [16], key: [8]).validated(),
        try! AttentionSpec.attention(heads: 2, headDim: 8, tokens: [40]).masked(.slidingWindow(left: 12, right: 4))
            .tiled(query: [16], key: [16]).validated(),
        try! AttentionSpec.attention(heads: 1, headDim: 8, tokens: [11, 13])
            .masked(try! .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]))
            .tiled(query: [4, 4], key: [2, 8]).validated(),
        try! AttentionSpec.attention(heads: 1, headDim: 8, tokens: [6, 7, 9])
            .masked(try! .neighborhood(window: [3, 4, 5], stride: [1, 2, 5], dilation: [1, 1, 1], causal: [true, false, false]))
            .tiled(query: [2, 2, 4], key: [2, 4, 2]).validated(),
    ]

    /// Every key tile's visitors are exactly the query tiles that list it, with the same class.
    @Test(arguments: specs)
    func visitorsAreTheTransposeOfVisits(spec: AttentionSpec) throws {
        let plan = try TilePlan(spec)
        var expected = [[QueryTileVisit]](repeating: [], count: plan.keyTiles.count)
        for (queryTile, visits) in plan.allVisits {
            for visit in visits { expected[visit.keyTile].append(QueryTileVisit(queryTile: queryTile, tileClass: visit.tileClass)) }
        }
        #expect(plan.allVisitors() == expected)
        for keyTile in 0..<plan.keyTiles.count { #expect(plan.visitors(ofKeyTile: keyTile) == expected[keyTile]) }
        #expect(expected.joined().count == plan.summary().visitedTilePairs)
        let summary = plan.transposedSummary()
        #expect(summary.visitedKeyTiles == expected.filter { !$0.isEmpty }.count)
        #expect(summary.maxVisitors == expected.map(\.count).max())
    }
}
