import ArgumentParser
import AttentionGen
import Foundation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a spec's block sparsity and load balance, or sweep tilings.",
        discussion: """
            Reports visited, FULL and PARTIAL tile pairs, FLOPs, speedup bounds and
            the schedule's load balance on a machine model (docs/cost-model.md).
            svg and html draw the block map, one query tile's neighborhood (2-D and
            3-D problems) and the simulated time per work-group.
            --sweep ranks candidate tile shapes by simulated time instead; --strides
            also tries neighborhood strides (a different mask: GNA) and reports the
            smallest stride that makes the spec's tiling mask-free.
            Examples:
              attngen simulate Kernels/specs/decode-gqa-lean.json --machine a100
              attngen simulate Kernels/specs/neighborhood-2d-dilated.json --format html
              attngen simulate Kernels/specs/gna-blocked-2d.json --sweep --strides --top 5
            """)

    @OptionGroup var spec: SpecArgument

    @Option(help: "Machine model.")
    var machine: MachineChoice = .h100

    @Option(help: "Override the machine's compute units (peak and bandwidth scale with them).")
    var computeUnits: Int?

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: "Write to this file instead of stdout (kept if it exists, unless --force).")
    var out: String?

    @Option(help: "Query tile whose neighborhood the pictures show (default: the tile at the grid's centre).")
    var queryTile: Int?

    @Flag(help: "Rank candidate tile shapes by simulated time instead of reporting the spec's tiling.")
    var sweep = false

    @Flag(help: "With --sweep: also try neighborhood strides.")
    var strides = false

    @Option(help: "With --sweep: how many configurations to list.")
    var top = 10

    @Flag(help: "Replace an existing --out file.")
    var force = false

    func validate() throws {
        if let computeUnits, computeUnits < 1 {
            throw ValidationError("--compute-units \(computeUnits): must be at least 1")
        }
        if top < 1 { throw ValidationError("--top \(top): must be at least 1") }
        if strides && !sweep { throw ValidationError("--strides only applies with --sweep") }
        if sweep && (format == .svg || format == .html) {
            throw ValidationError("--format \(format.rawValue): a sweep prints text, markdown or json")
        }
    }

    func run() throws {
        let spec = try spec.load()
        var model = machine.model
        if let computeUnits { model = model.withComputeUnits(computeUnits) }
        if let out { try checkOutputs([("--out", out)], force: force) }
        let output = sweep ? sweepOutput(spec, on: model) : try reportOutput(spec, on: model)
        guard let out else {
            print(output, terminator: "")
            return
        }
        try writeOutput(Data(output.utf8), to: out, force: force)
        print("wrote \(out)")
    }

    private func reportOutput(_ spec: AttentionSpec, on model: MachineModel) throws -> String {
        let plan = try self.spec.plan(spec)
        if let queryTile, !(0..<plan.queryTiles.count).contains(queryTile) {
            throw CLIError("--query-tile \(queryTile): the spec has query tiles 0..<\(plan.queryTiles.count)")
        }
        let report = SimulationReport(plan: plan, summary: plan.summary(), machine: model)
        return ReportRenderer(report: report, plan: plan, focusQueryTile: queryTile).render(format)
    }

    private func sweepOutput(_ spec: AttentionSpec, on model: MachineModel) -> String {
        var bar = ProgressBar()
        let outcome = TilingSweep(spec: spec, machine: model, strides: strides).run { bar.update(done: $0, total: $1) }
        bar.finish()
        // validate() admits only the formats a table has.
        return SweepTable(outcome: outcome.top(top)).render(format) ?? ""
    }
}

/// The machine presets by their command-line names.
enum MachineChoice: String, CaseIterable, ExpressibleByArgument {
    case h100, h200, b200, a100, igpu, cpu

    var model: MachineModel {
        switch self {
        case .h100: .h100
        case .h200: .h200
        case .b200: .b200
        case .a100: .a100
        case .igpu: .integratedGPU
        case .cpu: .thisCPU
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}


/// A progress bar on stderr for long work: shown only on a terminal and only once the work has
/// taken more than a second, redrawn in place, and erased at the end.
struct ProgressBar {
    private let enabled = isatty(STDERR_FILENO) != 0
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    mutating func update(done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        let now = ContinuousClock.now
        guard now - start > .seconds(1) else { return }
        // Redraw at most ten times a second, and always the final state.
        if let lastDraw, now - lastDraw < .milliseconds(100), done < total { return }
        lastDraw = now
        let width = 30
        let filled = width * done / total
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total)"
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    mutating func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 50) + "\r").utf8))
        drawn = false
    }
}
