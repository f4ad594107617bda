import AttentionPlan

/// Panel (b), for 2-D and 3-D problems: one query tile on the key token grid, with the keys of
/// its FULL and PARTIAL key tiles and the key tile borders. A 3-D problem shows the slice of
/// axis 0 through the middle of the query tile. A dilated axis shows only the query tile's
/// dilation group (its keys never leave it), so tiles are drawn as the boxes the kernel sees.
struct NeighborhoodPanel {
    static let maxTokensPerSide = 128
    let plan: TilePlan
    let focus: Int

    /// The query tile holding the grid's centre token.
    static func centreTile(of plan: TilePlan) -> Int {
        let shape = plan.spec.problem.queryShape
        return plan.queryTiles.index(ofAxisIndices: plan.queryTiles.axes.indices.map {
            plan.queryTiles.axes[$0].tile(containing: shape[$0] / 2)
        })
    }

    /// A displayed axis: the local coordinates `range` of dilation group `group`.
    private struct Axis {
        let axis: Int
        let group: Int
        let dilation: Int
        let range: Range<Int>
        func coordinate(_ local: Int) -> Int { group + local * dilation }
    }

    func draw() -> SVGCanvas? {
        let p = plan.spec.problem
        guard p.rank >= 2 else { return nil }
        let sameGrid = p.queryShape == p.keyShape
        let queryBox = plan.queryTiles.tile(focus)
        let visits = plan.visits(forQueryTile: focus)
        var classes: [Int: TileClass] = [:]
        for visit in visits { classes[visit.keyTile] = visit.tileClass }
        // 3-D: the slice through the middle of the query tile on axis 0.
        let slice: (coordinate: Int, keyTile: Int)? = p.rank == 3 ? {
            let coordinates = queryBox[0].coordinates
            let z = min(sameGrid ? coordinates[coordinates.count / 2] : p.keyShape[0] / 2, p.keyShape[0] - 1)
            return (z, plan.keyTiles.axes[0].tile(containing: z))
        }() : nil
        let shownVisits = visits.filter { slice == nil || plan.keyTiles.axisIndices(of: $0.keyTile)[0] == slice?.keyTile }
        let (rowAxis, colAxis) = (p.rank - 2, p.rank - 1)
        let axes = [rowAxis, colAxis].map { axis -> Axis in
            let group = sameGrid ? queryBox[axis].group : 0
            let keyAxis = plan.keyTiles.axes[axis]
            let groupLength = AxisTiling.groupLength(group, length: keyAxis.length, dilation: keyAxis.dilation)
            var spans = shownVisits.map { plan.keyTiles.tile($0.keyTile)[axis].local }
            if sameGrid { spans.append(queryBox[axis].local) }
            let range = displayRange(spans: spans, pad: keyAxis.tileSize, length: groupLength, centre: queryBox[axis].local)
            return Axis(axis: axis, group: group, dilation: keyAxis.dilation, range: range)
        }
        return render(axes: axes, sliceTile: slice?.keyTile, sliceCoordinate: slice?.coordinate, classes: classes,
                      queryBox: sameGrid ? queryBox : nil, visits: visits)
    }

    /// The visited spans padded by one key tile, clipped to the group, and at most
    /// `maxTokensPerSide` long around the query tile.
    private func displayRange(spans: [Range<Int>], pad: Int, length: Int, centre: Range<Int>) -> Range<Int> {
        let lo = max(0, (spans.map(\.lowerBound).min() ?? 0) - pad)
        let hi = min(length, (spans.map(\.upperBound).max() ?? length) + pad)
        guard hi - lo > Self.maxTokensPerSide else { return lo..<hi }
        let middle = (centre.lowerBound + centre.upperBound) / 2
        let start = min(max(0, middle - Self.maxTokensPerSide / 2), length - Self.maxTokensPerSide)
        return start..<(start + Self.maxTokensPerSide)
    }

    private func render(
        axes: [Axis], sliceTile: Int?, sliceCoordinate: Int?, classes: [Int: TileClass], queryBox: [AxisTile]?, visits: [KeyTileVisit]
    ) -> SVGCanvas {
        let (row, col) = (axes[0], axes[1])
        let keyAxes = plan.keyTiles.axes
        // Per displayed position, the key tile index on that axis.
        let rowTiles = row.range.map { keyAxes[row.axis].tile(containing: row.coordinate($0)) }
        let colTiles = col.range.map { keyAxes[col.axis].tile(containing: col.coordinate($0)) }
        var d = ["", "", ""]
        var markers = ""
        for (r, rowTile) in rowTiles.enumerated() {
            for (c, colTile) in colTiles.enumerated() {
                let key = plan.keyTiles.index(ofAxisIndices: (sliceTile.map { [$0] } ?? []) + [rowTile, colTile])
                switch classes[key] {
                case .full: d[2] += "M\(c) \(r)h1v1h-1z"
                case .partial: d[1] += "M\(c) \(r)h1v1h-1z"
                case nil: break
                }
                if let queryBox, queryBox[row.axis].local.contains(row.range.lowerBound + r),
                   queryBox[col.axis].local.contains(col.range.lowerBound + c) {
                    markers += "M\(c).3 \(r).3h0.4v0.4h-0.4z"
                }
            }
        }

        var subtitle: [String] = []
        if let queryBox {
            subtitle.append("query tile \(focus): " + queryBox.enumerated().map { "axis \($0) \(span($1.coordinates))" }.joined(separator: ", "))
        }
        let full = visits.filter { $0.tileClass == .full }.count
        subtitle.append("visits \(Units.count(visits.count, "key tile")): \(Units.count(full)) FULL, \(Units.count(visits.count - full)) PARTIAL")
        if let sliceCoordinate { subtitle.append("3-D grid: the slice axis 0 = \(sliceCoordinate), through the middle of the query tile") }
        for axis in axes where axis.dilation > 1 {
            subtitle.append("axis \(axis.axis) is dilated by \(axis.dilation): showing its tokens ≡ \(axis.group) (mod \(axis.dilation)), the query tile's group")
        }

        let side = min(20, 560 / Double(max(row.range.count, col.range.count, 1)))
        let (width, height) = (Double(col.range.count) * side, Double(row.range.count) * side)
        var canvas = SVGCanvas(width: PanelLayout.width, height: 0)
        let top = PanelLayout.header(&canvas, title: "Neighborhood of query tile \(focus) on the key grid", subtitle: subtitle)
        let left = PanelLayout.plotLeft
        canvas.rect(x: left, y: top, width: width, height: height, fill: Palette.skipped)
        canvas.cells(x: left, y: top, cellWidth: side, cellHeight: side,
                     paths: [(Palette.partial, d[1]), (Palette.full, d[2]), ("#000000", markers)])
        drawTileBorders(&canvas, row: row, col: col, left: left, top: top, side: side)
        if let queryBox, let rows = clip(queryBox[row.axis].local, to: row.range), let cols = clip(queryBox[col.axis].local, to: col.range) {
            canvas.rect(x: left + Double(cols.lowerBound - col.range.lowerBound) * side, y: top + Double(rows.lowerBound - row.range.lowerBound) * side,
                        width: Double(cols.count) * side, height: Double(rows.count) * side, fill: "none", stroke: "#000000", strokeWidth: 2.5)
        }

        let rowTicks = PanelLayout.indexTicks(count: row.range.count, length: height, spacing: 26)
        PanelLayout.yTicks(&canvas, rowTicks.map { (top + (Double($0) + 0.5) * side, String(row.coordinate(row.range.lowerBound + $0))) }, x: left)
        let colTicks = PanelLayout.indexTicks(count: col.range.count, length: width, spacing: 40)
        PanelLayout.xTicks(&canvas, colTicks.map { (left + (Double($0) + 0.5) * side, String(col.coordinate(col.range.lowerBound + $0))) }, y: top + height)
        canvas.text("key token, axis \(col.axis)", x: left + width / 2, y: top + height + 38, size: 14, anchor: .middle, bold: true)
        canvas.text("key token, axis \(row.axis)", x: left - 52, y: top + height / 2, size: 14, anchor: .middle, bold: true, rotated: true)

        let legendY = top + max(height, 140) + 68
        var x = PanelLayout.margin
        if queryBox != nil { x = canvas.legendEntry(x: x, y: legendY, fill: "#ffffff", label: "query tile token", marker: true) }
        x = canvas.legendEntry(x: x, y: legendY, fill: Palette.full, label: "key in a FULL tile")
        x = canvas.legendEntry(x: x, y: legendY, fill: Palette.partial, label: "key in a PARTIAL tile")
        _ = canvas.legendEntry(x: x, y: legendY, fill: Palette.skipped, label: "not visited")
        canvas.text("thin lines: key tile borders; thick line: the query tile", x: PanelLayout.margin, y: legendY + 22, size: 12)
        return canvas.resized(height: legendY + 38)
    }

    /// Key tile borders: lines where the key tile changes along each displayed axis.
    private func drawTileBorders(_ canvas: inout SVGCanvas, row: Axis, col: Axis, left: Double, top: Double, side: Double) {
        let (width, height) = (Double(col.range.count) * side, Double(row.range.count) * side)
        var d = ""
        for local in col.range.dropFirst() where local % plan.keyTiles.axes[col.axis].tileSize == 0 {
            d += "M\(svgNumber(left + Double(local - col.range.lowerBound) * side)) \(svgNumber(top))v\(svgNumber(height))"
        }
        for local in row.range.dropFirst() where local % plan.keyTiles.axes[row.axis].tileSize == 0 {
            d += "M\(svgNumber(left)) \(svgNumber(top + Double(local - row.range.lowerBound) * side))h\(svgNumber(width))"
        }
        if !d.isEmpty { canvas.path(d, stroke: "#444444", width: 1) }
        canvas.rect(x: left, y: top, width: width, height: height, fill: "none", stroke: "#444444", strokeWidth: 1)
    }

    private func clip(_ range: Range<Int>, to bounds: Range<Int>) -> Range<Int>? {
        let clipped = range.clamped(to: bounds)
        return clipped.isEmpty ? nil : clipped
    }

    /// `[8, 9, …, 15]` → `8–15`; `[1, 3, …, 15]` → `1–15 step 2`.
    private func span(_ coordinates: [Int]) -> String {
        guard let first = coordinates.first, let last = coordinates.last else { return "none" }
        if first == last { return "\(first)" }
        let step = coordinates[1] - first
        return "\(first)–\(last)" + (step > 1 ? " step \(step)" : "")
    }
}
