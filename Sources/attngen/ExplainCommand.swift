import Foundation
import ArgumentParser
import AttentionGen

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show which keys one query sees, as a picture of the key grid.",
        discussion: """
            Legend: '#' visible key, '.' hidden key, 'Q' the query's own position when visible, 'q' when hidden.
            1-D grids print in rows of 64 keys, 2-D grids as a picture, 3-D grids slice by slice.
            Example:
              attngen explain Kernels/specs/neighborhood-2d-dilated.json --query 5,17
            """)

    @OptionGroup var spec: SpecArgument

    // Unconditional: `--query -1,5` takes "-1,5" as the value (and reports it out of range)
    // instead of reading it as an unknown option.
    @Option(parsing: .unconditional, help: "Query coordinate, one value per axis, comma-separated (default: the grid's centre).")
    var query: String?

    @Option(help: "Largest picture side to draw; larger grids are summarised.")
    var maxSide = 128

    func validate() throws {
        if maxSide < 1 { throw ValidationError("--max-side \(maxSide): must be at least 1") }
    }

    func run() throws {
        let spec = try spec.load()
        let p = spec.problem
        let coordinates = try queryCoordinates(in: p.queryShape)
        let queryGrid = TokenGrid(p.queryShape)
        let keyGrid = TokenGrid(p.keyShape)
        let queryIndex = queryGrid.index(of: coordinates)
        let seen = MaskPredicate.visibleKeyCount(mask: spec.mask, problem: p, query: queryIndex).map(String.init) ?? "(too many keys to count)"
        print("query \(coordinates) (token \(queryIndex)) sees \(seen) of \(keyGrid.count) keys")
        if case .neighborhood(let axes) = spec.mask {
            for (axis, a) in axes.enumerated() {
                let w = a.keyWindow(query: coordinates[axis], length: p.queryShape[axis])
                print("  axis \(axis): keys \(w.first)...\(w.last) step \(a.dilation) (\((w.last - w.first) / a.dilation + 1) keys)")
            }
        }
        // A 1-D picture is drawn in rows of `width` keys: --max-side bounds its rows.
        let width = 64
        let fits = p.rank == 1 ? (keyGrid.count - 1) / width < maxSide : p.keyShape.allSatisfy { $0 <= maxSide }
        guard fits else {
            print("(grid larger than --max-side \(maxSide)\(p.rank == 1 ? " rows of \(width) keys" : ""): picture omitted)")
            return
        }
        let predicate = MaskPredicate(mask: spec.mask, problem: p)
        let visible = (0..<keyGrid.count).map { predicate.allows(query: queryIndex, key: $0) }
        // The query's own position is marked only when the grids coincide.
        let ownKey = p.queryShape == p.keyShape ? queryIndex : nil
        func cell(_ key: Int) -> Character {
            if key == ownKey { return visible[key] ? "Q" : "q" }
            return visible[key] ? "#" : "."
        }
        switch p.rank {
        case 1:
            for start in stride(from: 0, to: keyGrid.count, by: width) {
                let row = String((start..<min(start + width, keyGrid.count)).map(cell))
                print(String(format: "%6d ", start) + row)
            }
        case 2:
            for y in 0..<p.keyShape[0] {
                print(String((0..<p.keyShape[1]).map { cell(y * p.keyShape[1] + $0) }))
            }
        default:
            let slice = p.keyShape[1] * p.keyShape[2]
            for z in 0..<p.keyShape[0] where visible[(z * slice)..<((z + 1) * slice)].contains(true) {
                print("slice \(z):")
                for y in 0..<p.keyShape[1] {
                    print(String((0..<p.keyShape[2]).map { cell(z * slice + y * p.keyShape[2] + $0) }))
                }
            }
        }
    }

    private func queryCoordinates(in shape: [Int]) throws -> [Int] {
        guard let query else { return shape.map { $0 / 2 } }
        let parts = query.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard parts.count == shape.count, parts.allSatisfy({ $0 != nil }) else {
            throw CLIError("--query \(query): expected \(shape.count) comma-separated integers (the query grid is \(gridText(shape)))")
        }
        let coordinates = parts.map { $0! }
        for (axis, (c, size)) in zip(coordinates, shape).enumerated() where c < 0 || c >= size {
            throw CLIError("--query \(query): coordinate \(c) on axis \(axis) is outside 0..<\(size)")
        }
        return coordinates
    }
}
