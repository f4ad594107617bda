import AttentionPlan

/// The panels of a run of visits: consecutive visits grouped while the next one still fits in
/// `capacity` keys (a single visit may exceed it). The one grouping rule: the interpreter runs
/// it, the kernels evaluate the same rule on the device, and the loop estimate counts it.
public enum KeyPanels {
    /// Each panel's visit range (indices into `visits`) and key count; `keys(i)` is the key count
    /// of visit `visits[i]`.
    public static func group(
        _ visits: ArraySlice<KeyTileVisit>, capacity: Int, keys: (Int) -> Int
    ) -> [(visits: Range<Int>, keys: Int)] {
        var panels: [(visits: Range<Int>, keys: Int)] = []
        var start = visits.startIndex
        while start < visits.endIndex {
            var end = start + 1
            var count = keys(start)
            while end < visits.endIndex, count + keys(end) <= capacity {
                count += keys(end)
                end += 1
            }
            panels.append((start..<end, count))
            start = end
        }
        return panels
    }
}
