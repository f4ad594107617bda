import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import Foundation

/// What one fuzz input goes through. Every failure must be a typed error; a trap, a hang or a
/// wrong answer is a finding.
enum FuzzTarget: String, CaseIterable {
    /// Spec JSON: read, validate, plan (within a small memory budget).
    case spec
    /// A `.npy` file: header and data.
    case npy
    /// A kernel package (`NAME.attnkernels.json`): manifest, spec, SPIR-V and OpenCL layouts.
    case package
    /// Spec JSON, then, when the spec is small, the CPU interpreter on seeded inputs, checked
    /// against the float64 reference by the tolerance rule.
    case run

    /// Largest input tensors `run` executes (elements), so each input takes milliseconds.
    static let runElements = 1 << 14
    /// What a spec may need before `plan` refuses it: keeps the fuzzer's own memory bounded.
    static let budget = MemoryBudget(bytes: 64 << 20)

    func callAsFunction(_ data: Data) {
        switch self {
        case .spec:
            _ = try? plan(data)
        case .npy:
            _ = try? Npy.read(data, name: "fuzz.npy")
        case .package:
            _ = try? KernelPackage(data: data, file: "fuzz.attnkernels.json")
        case .run:
            guard let plan = try? plan(data) else { return }
            let p = plan.spec.problem
            guard [p.queryTensorShape, p.keyTensorShape, p.valueTensorShape].allSatisfy({ $0.reduce(1, *) <= Self.runElements }),
                  plan.executedFlops() <= 1e8
            else { return }
            checkAgainstReference(plan.spec)
        }
    }

    private func plan(_ data: Data) throws -> TilePlan {
        let spec = try AttentionSpec(json: data).validated()
        let plan = try TilePlan(spec)
        try Self.budget.require(MemoryEstimate(plan: plan).run)
        return plan
    }

    private func checkAgainstReference(_ spec: AttentionSpec) {
        var rng = SeededGenerator(seed: 1)
        guard let inputs = try? AttentionInputs.random(spec, using: &rng) else { return }
        let result: AttentionResult
        do {
            result = try CPUBackend().run(inputs)
        } catch {
            return  // a typed refusal is an answer
        }
        let report = ToleranceRule().check(result, for: inputs)
        if !report.passed { fatalError("\(spec.summary): the interpreter disagrees with the reference: \(report)") }
    }
}
