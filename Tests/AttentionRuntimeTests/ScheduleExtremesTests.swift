import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
import Testing

/// The edges of every schedule on every backend of this machine: split-KV with one split and
/// with as many splits as key tiles, lean with one work-group, exactly the work items and more.
/// `splitKV(1)` once crashed the interpreter and OpenCL and gave zeros on Vulkan: the program
/// stored partials but the partition said no merge was needed, so no partial slots existed.
@Suite struct ScheduleExtremesTests {
    static let base = try! AttentionSpec.attention(heads: 2, headDim: 8, tokens: [3], keyTokens: [100]).tiled(query: [16], key: [16])

    static var schedules: [Schedule] {
        let plan = try! TilePlan(base)
        let keyTiles = plan.keyTiles.count
        let workItems = 2 * (0..<plan.queryTiles.count).reduce(0) { $0 + plan.visitCount(forQueryTile: $1) }
        return [.splitKV(splits: 1), .splitKV(splits: keyTiles), .splitKV(splits: keyTiles + 2), .lean(workgroups: 1), .lean(workgroups: workItems),
                .lean(workgroups: workItems + 5)]
    }

    static func runtimes() throws -> [AttentionRuntime] {
        var runtimes = [try AttentionRuntime(.cpu)]
        let inventory = DeviceInventory.probe()
        for (request, devices) in [(BackendRequest.opencl(device: nil), inventory.opencl), (.vulkan(device: nil), inventory.vulkan)] {
            if case .devices = devices { runtimes.append(try AttentionRuntime(request, environment: [:])) }
        }
        return runtimes
    }

    @Test(arguments: [Mask.dense, .causal])
    func everyBackendMatchesTheReference(mask: Mask) throws {
        let runtimes = try Self.runtimes()
        for schedule in Self.schedules {
            var spec = Self.base.scheduled(schedule)
            if mask == .causal { spec = spec.masked(.causal) }
            spec = try spec.validated()
            let inputs = try randomInputs(spec, seed: 13)
            for runtime in runtimes {
                let result = try runtime.run(inputs)
                let report = ToleranceRule().check(result, for: inputs)
                #expect(report.passed, "\(result.backendName), \(spec.summary): \(report)")
                #expect(!result.lse.elements.contains(-.infinity), "\(result.backendName), \(spec.summary): a visible row came out masked")
            }
        }
    }

    enum Mask: Sendable { case dense, causal }

    @Test func splitsFarBeyondTheKeyTilesAreRefused() throws {
        _ = try TilePlan(Self.base.scheduled(.splitKV(splits: 8)))
        let error = #expect(throws: SpecError.self) { try TilePlan(Self.base.scheduled(.splitKV(splits: 1_000_000))) }
        #expect(error?.field == "schedule.splits")
    }

    @Test func leanBeyondIdleGridIsRefused() throws {
        _ = try TilePlan(Self.base.scheduled(.lean(workgroups: TilePlan.idleWorkgroupLimit)))
        let error = #expect(throws: SpecError.self) { try TilePlan(Self.base.scheduled(.lean(workgroups: 2_000_000_000))) }
        #expect(error?.field == "schedule.workgroups" || error?.field == "schedule")
    }
}
