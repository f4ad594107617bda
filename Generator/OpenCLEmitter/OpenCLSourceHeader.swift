import AttentionPlan
import AttentionSpec
import KernelIR
import Foundation

/// The comment that opens a `.cl` file: what spec, tiling, plan and schedule it computes.
enum OpenCLSourceHeader {
    static func text(spec: AttentionSpec, plan: TilePlan, summary s: PlanSummary, launches: [OpenCLKernelLaunch]) -> String {
        let kernels = launches.map { "\($0.kernel) (\($0.workgroups) work-groups of \($0.localSize))" }.joined(separator: ", then ")
        let lines = [
            "AttentionGen: generated OpenCL C 1.2. Regenerate with `attngen emit SPEC.json --target opencl`.",
            "",
        ] + GeneratedSourceHeader.planLines(spec: spec, summary: s) + [
            "schedule: \(GeneratedSourceHeader.describe(spec.schedule))",
            "kernels:  \(kernels)",
            "",
        ] + GeneratedSourceHeader.layoutLines + [
            "Kernel arguments, buffers and the plan data: see the .manifest.json written with this file.",
        ]
        return "/*\n" + lines.map { GeneratedSourceHeader.ascii($0.isEmpty ? " *" : " * " + $0) }.joined(separator: "\n") + "\n */\n"
    }
}
