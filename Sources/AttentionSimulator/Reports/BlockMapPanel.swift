import AttentionPlan

/// Panel (a): query tiles (rows) × key tiles (columns), each cell FULL, PARTIAL or skipped.
/// Grids wider than `maxCellsPerSide` are drawn in cells of several tiles, so the picture
/// stays small and legible whatever the problem size.
struct BlockMapPanel {
    static let maxCellsPerSide = 256
    let plan: TilePlan
    let report: SimulationReport

    /// Cell classes: 0 skipped, 1 PARTIAL, 2 FULL.
    private struct CellGrid {
        let rows: Int
        let cols: Int
        /// Tiles per cell along the query and the key axis.
        let tilesPerRow: Int
        let tilesPerCol: Int
        let classes: [UInt8]
    }

    private func cellGrid() -> CellGrid {
        let (queryTiles, keyTiles) = (plan.queryTiles.count, plan.keyTiles.count)
        let a = (queryTiles + Self.maxCellsPerSide - 1) / Self.maxCellsPerSide
        let b = (keyTiles + Self.maxCellsPerSide - 1) / Self.maxCellsPerSide
        let rows = (queryTiles + a - 1) / a
        let cols = (keyTiles + b - 1) / b
        var visited = [Int](repeating: 0, count: rows * cols)
        var full = [Int](repeating: 0, count: rows * cols)
        for q in 0..<queryTiles {
            for visit in plan.visits(forQueryTile: q) {
                let cell = (q / a) * cols + visit.keyTile / b
                visited[cell] += 1
                if visit.tileClass == .full { full[cell] += 1 }
            }
        }
        let classes = (0..<rows * cols).map { cell -> UInt8 in
            let (r, c) = (cell / cols, cell % cols)
            let pairs = min(a, queryTiles - r * a) * min(b, keyTiles - c * b)
            if visited[cell] == 0 { return 0 }
            return full[cell] == pairs ? 2 : 1
        }
        return CellGrid(rows: rows, cols: cols, tilesPerRow: a, tilesPerCol: b, classes: classes)
    }

    /// One path per class: each row's runs of equal cells as rectangles, in cell units.
    private func paths(_ grid: CellGrid) -> [(fill: String, d: String)] {
        var d = ["", "", ""]
        for r in 0..<grid.rows {
            var c = 0
            while c < grid.cols {
                let kind = grid.classes[r * grid.cols + c]
                var end = c + 1
                while end < grid.cols && grid.classes[r * grid.cols + end] == kind { end += 1 }
                if kind != 0 { d[Int(kind)] += "M\(c) \(r)h\(end - c)v1h-\(end - c)z" }
                c = end
            }
        }
        return [(Palette.partial, d[1]), (Palette.full, d[2])]
    }

    func draw() -> SVGCanvas {
        let grid = cellGrid()
        var subtitle = wrap(report.spec, limit: PanelLayout.subtitleChars)
        var scope = "\(Units.count(plan.queryTiles.count, "query tile")) × \(Units.count(plan.keyTiles.count, "key tile")), one batch × head"
        if grid.tilesPerRow > 1 || grid.tilesPerCol > 1 {
            scope += "; each cell = \(grid.tilesPerRow)×\(grid.tilesPerCol) tiles (query × key)"
        }
        subtitle.append(scope)

        // Square cells, except that a very short or narrow map gets taller or wider cells.
        let side = min(24, PanelLayout.plotMaxWidth / Double(max(grid.rows, grid.cols)))
        let cellWidth = Double(grid.cols) * side < 48 ? min(24, 48 / Double(grid.cols)) : side
        let cellHeight = Double(grid.rows) * side < 48 ? min(24, 48 / Double(grid.rows)) : side
        let (mapWidth, mapHeight) = (Double(grid.cols) * cellWidth, Double(grid.rows) * cellHeight)

        var canvas = SVGCanvas(width: PanelLayout.width, height: 0)
        let top = PanelLayout.header(&canvas, title: "Block map: the key tiles each query tile visits", subtitle: subtitle)
        // Leave room for the rotated axis title beside short maps.
        let block = max(mapHeight, 84)
        let (left, mapTop) = (PanelLayout.plotLeft, top + (block - mapHeight) / 2)
        canvas.rect(x: left, y: mapTop, width: mapWidth, height: mapHeight, fill: Palette.skipped)
        canvas.cells(x: left, y: mapTop, cellWidth: cellWidth, cellHeight: cellHeight, paths: paths(grid))
        if cellWidth >= 8 && cellHeight >= 8 { drawCellBorders(&canvas, grid, left, mapTop, cellWidth, cellHeight) }
        canvas.rect(x: left, y: mapTop, width: mapWidth, height: mapHeight, fill: "none", stroke: "#777777", strokeWidth: 1)

        let queryTicks = PanelLayout.indexTicks(count: plan.queryTiles.count, length: mapHeight, spacing: 26)
        PanelLayout.yTicks(&canvas, queryTicks.map {
            (mapTop + (Double($0) + 0.5) / Double(grid.tilesPerRow) * cellHeight, Units.count($0))
        }, x: left)
        let keyTicks = PanelLayout.indexTicks(count: plan.keyTiles.count, length: mapWidth, spacing: 56)
        let bottom = mapTop + mapHeight
        PanelLayout.xTicks(&canvas, keyTicks.map {
            (left + (Double($0) + 0.5) / Double(grid.tilesPerCol) * cellWidth, Units.count($0))
        }, y: bottom)
        canvas.text("key tile", x: left + mapWidth / 2, y: bottom + 38, size: 14, anchor: .middle, bold: true)
        canvas.text("query tile", x: left - 58, y: top + block / 2, size: 14, anchor: .middle, bold: true, rotated: true)

        let legendY = max(bottom + 68, top + block + 28)
        let skipped = plan.queryTiles.count * plan.keyTiles.count - report.visitedTilePairs
        var x = PanelLayout.margin
        x = canvas.legendEntry(x: x, y: legendY, fill: Palette.full, label: "FULL, no mask (\(Units.count(report.fullTilePairs)))")
        x = canvas.legendEntry(x: x, y: legendY, fill: Palette.partial, label: "PARTIAL, masked (\(Units.count(report.partialTilePairs)))")
        _ = canvas.legendEntry(x: x, y: legendY, fill: Palette.skipped, label: "skipped (\(Units.count(skipped)))")
        return canvas.resized(height: legendY + 22)
    }

    /// Thin white lines between cells, so single tiles can be counted.
    private func drawCellBorders(_ canvas: inout SVGCanvas, _ grid: CellGrid, _ left: Double, _ top: Double, _ w: Double, _ h: Double) {
        let (width, height) = (Double(grid.cols) * w, Double(grid.rows) * h)
        var d = ""
        for c in 1..<max(grid.cols, 1) { d += "M\(svgNumber(left + Double(c) * w)) \(svgNumber(top))v\(svgNumber(height))" }
        for r in 1..<max(grid.rows, 1) { d += "M\(svgNumber(left)) \(svgNumber(top + Double(r) * h))h\(svgNumber(width))" }
        if !d.isEmpty { canvas.path(d, stroke: Palette.grid, width: 1) }
    }
}
