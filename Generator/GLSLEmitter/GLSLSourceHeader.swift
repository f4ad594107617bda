import AttentionPlan
import AttentionSpec
import KernelIR

/// The comment that opens a `.comp` file: what spec, tiling, plan and schedule it computes, and
/// how a host runs it.
enum GLSLSourceHeader {
    static func text(spec: AttentionSpec, plan: TilePlan, summary s: PlanSummary, shader: GLSLShader, shaders: [GLSLShader],
                     options: GLSLOptions) -> String {
        let sequence = shaders.map { "\($0.name) (\($0.workgroups) work-groups of \($0.localSize))" }.joined(separator: ", then ")
        let position = (shaders.firstIndex { $0.name == shader.name } ?? 0) + 1
        let lines = [
            "AttentionGen: generated GLSL 450 compute shader \(position) of \(shaders.count): \(shader.name).",
            "Regenerate with `attngen emit SPEC.json --target glsl`.",
            "",
        ] + GeneratedSourceHeader.planLines(spec: spec, summary: s) + [
            "schedule: \(GeneratedSourceHeader.describe(spec.schedule))",
            "dispatch: \(sequence)",
            "this:     vkCmdDispatch(\(shader.groupCount.map(String.init).joined(separator: ", "))), local size \(shader.localSize); "
                + "\(shader.sharedMemoryBytes) bytes of shared memory;",
            "          at most \(shader.loopIterations) loop iterations per invocation" + (options.unrollTileLoops ? " once [[unroll]] loops are unrolled" : " (tile loops not unrolled)"),
            "",
        ] + GeneratedSourceHeader.layoutLines + [
            "Bindings, push-constant values, specialization constants and the plan data: see the .glsl-manifest.json",
            "written with this file. Needs no optional device feature"
                + (options.sixteenBitStorage && spec.problem.dtype != .float32 ? " but storageBuffer16BitAccess." : "."),
        ]
        return lines.map { GeneratedSourceHeader.ascii($0.isEmpty ? "//" : "// " + $0) }.joined(separator: "\n") + "\n\n"
    }

    static func scheduleName(_ schedule: Schedule) -> String {
        switch schedule {
        case .flash: "flash"
        case .splitKV(let n): "splitKV(\(n))"
        case .lean(let g): "lean(\(g))"
        }
    }
}
