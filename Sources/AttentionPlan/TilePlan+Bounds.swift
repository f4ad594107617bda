import AttentionSpec

/// Bounds a plan checks before it builds anything: the work of listing tiles and work-groups
/// must fit in a second or so, and a schedule must fit the tiles it spreads.
extension TilePlan {
    /// The most tile pairs, query tiles or work-groups any plan consumer lists one by one
    /// (plan tables, the simulator's per-work-group loads, masks classified pair by pair).
    public static let enumerationLimit = 1 << 24

    /// Split-KV and lean may start more work-groups than there is work (empty splits and
    /// idle lean groups write a part with no keys, as a grid sized for larger problems would), up
    /// to this many beyond the work.
    public static let idleWorkgroupLimit = 1 << 16

    /// Refuses grids whose tile lists would take unbounded time, before any list exists.
    static func checkEnumeration(_ spec: AttentionSpec, tiling: Tiling) throws(SpecError) {
        let p = spec.problem
        let limit = enumerationLimit
        // Tiles per axis, ceil(length / tile): dilation groups add at most one tile each.
        func tiles(_ shape: [Int], _ tile: [Int]) -> [Int] { zip(shape, tile).map { ($0 - 1) / $1 + 1 } }
        let (queryAxes, keyAxes) = (tiles(p.queryShape, tiling.queryTile), tiles(p.keyShape, tiling.keyTile))
        let advice = "use larger tiles (tiling.queryTile / tiling.keyTile) or a smaller problem"
        if case .neighborhood(let axes) = spec.mask {
            // Planned per axis: one window per coordinate, one pass per axis tile pair.
            for axis in axes.indices {
                let groups = axes[axis].dilation
                let pairs = checkedProduct([queryAxes[axis] + groups, keyAxes[axis] + groups])
                guard p.queryShape[axis] <= limit, let pairs, pairs <= limit else {
                    throw .invalidValue(
                        field: "problem.queryShape[\(axis)]", value: "\(p.queryShape[axis])",
                        reason: "a neighborhood axis this long has more than 2^24 tokens or tile pairs to plan; \(advice)")
                }
            }
        } else {
            let pairs = checkedProduct(queryAxes + keyAxes)
            guard let pairs, pairs <= limit else {
                throw .invalidValue(
                    field: "tiling", value: "\(queryAxes.reduce(1, *)) query tiles × \(keyAxes.reduce(1) { $0 &* $1 }) key tiles",
                    reason: "a \(spec.mask.kind) mask is classified tile pair by tile pair, and more than 2^24 pairs "
                        + "would not answer in time; \(advice)")
            }
        }
        let queryTiles = checkedProduct(queryAxes.enumerated().map { axis, count in
            if case .neighborhood(let axes) = spec.mask { count + axes[axis].dilation } else { count }
        })
        let outputTiles = checkedProduct([p.batch, p.heads, queryTiles ?? Int.max])
        let (field, value, workgroups): (String, String, Int?)
        switch spec.schedule {
        case .flash:
            (field, value, workgroups) = ("problem", "batch \(p.batch) · heads \(p.heads) · query tiles", outputTiles)
        case .splitKV(let splits):
            (field, value, workgroups) = ("schedule.splits", "\(splits)", outputTiles.flatMap { checkedProduct([$0, splits]) })
        case .lean(let count):
            (field, value, workgroups) = ("schedule.workgroups", "\(count)", count)
        }
        guard let workgroups, workgroups <= limit else {
            throw .invalidValue(
                field: field, value: value,
                reason: "needs more than 2^24 work-groups to list; use larger query tiles, fewer splits or fewer work-groups")
        }
        // Every schedule lists each output tile's segments (lean: a few work-groups each covering many).
        guard let outputTiles, outputTiles <= limit else {
            throw .invalidValue(
                field: "problem", value: "batch \(p.batch) · heads \(p.heads) · \(queryTiles.map(String.init) ?? "too many") query tiles",
                reason: "more than 2^24 output tiles to list; use larger query tiles or a smaller problem")
        }
    }

    /// Splits beyond the key tiles and lean grids beyond the work items only add idle
    /// work-groups; more than `idleWorkgroupLimit` of them are refused.
    func checkSchedule() throws(SpecError) {
        let p = spec.problem
        let limit = Self.idleWorkgroupLimit
        switch spec.schedule {
        case .flash:
            break
        case .splitKV(let splits):
            let outputTiles = p.batch * p.heads * queryTiles.count
            guard splits <= keyTiles.count || (splits - keyTiles.count) * outputTiles <= limit else {
                throw .invalidValue(
                    field: "schedule.splits", value: "\(splits)",
                    reason: "exceeds the \(keyTiles.count) key tiles, leaving more than \(limit) split work-groups "
                        + "with no keys; use at most \(keyTiles.count)")
            }
        case .lean(let workgroups):
            let visits = (0..<queryTiles.count).reduce(0) { $0 + visitCount(forQueryTile: $1) }
            let workItems = p.batch * p.heads * visits
            guard workgroups <= workItems + limit else {
                throw .invalidValue(
                    field: "schedule.workgroups", value: "\(workgroups)",
                    reason: "exceeds the \(workItems) work items (batch·heads·visited key tiles) by more than \(limit) "
                        + "idle work-groups; use at most \(workItems)")
            }
        }
    }
}
