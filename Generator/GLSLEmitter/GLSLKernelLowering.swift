import AttentionSpec
import KernelIR
import KernelLowering

/// The GLSL side of a program's kernels: which buffers each shader binds, and each shader's
/// text around the one lowering (`AttentionKernelLowering` in the GLSL dialect).
struct GLSLKernelLowering {
    let spec: AttentionSpec
    let configuration: GLSLConfiguration

    enum Role { case attention, merge }

    func role(of kernel: KernelFunction) -> Role {
        kernel.body.contains { if case .forEachSegment = $0 { true } else { false } } ? .attention : .merge
    }

    var isFlash: Bool { spec.schedule == .flash }

    /// The buffer names a kernel binds.
    func bufferNames(of kernel: KernelFunction) -> [String] {
        switch role(of: kernel) {
        case .attention:
            return ["q", "k", "v"] + (spec.scores.bias != nil ? ["bias"] : []) + (kernel.contains(.storeOutput) ? ["output", "lse"] : []) + ["plan"]
                + (kernel.contains(.storePartial) ? ["partial_m", "partial_l", "partial_acc"] : [])
        case .merge:
            return ["output", "lse", "plan", "partial_m", "partial_l", "partial_acc"]
        }
    }

    // MARK: Shader text

    /// The shader's text after the preamble: the mask predicate, the work-group arrays and
    /// `main` with the one lowering's statements.
    func body(of kernel: KernelFunction) -> String {
        let lowering = configuration.lowering(flash: isFlash)
        switch role(of: kernel) {
        case .attention:
            let predicate = "// ---- Mask predicate ------------------------------------------------------------------------------\n"
                + configuration.mask.source(.glsl)
            let operands = configuration.strategy.matrix.flatMap { CooperativeMatrixFragments($0).helpers }
            return ([predicate] + configuration.scores.section(.glsl) + (operands.map { [$0] } ?? []) + [
                lowering.sharedDeclarations.joined(separator: "\n"),
                main(kernel, lowering.attentionBody(kernel), guardCount: isFlash ? outputTiles : "pc.segment_groups"),
            ]).joined(separator: "\n\n")
        case .merge:
            return main(kernel, lowering.mergeBody(kernel, workgroupSize: configuration.workgroupSize), guardCount: outputTiles)
        }
    }

    private let outputTiles = "pc.batch * pc.heads * pc.query_tiles"

    private func main(_ kernel: KernelFunction, _ body: [String], guardCount: String) -> String {
        Self.mainText(name: kernel.name, body: [
            "const int group = \(GLSLPreamble.groupIndex);",
            "if (group >= \(guardCount)) return;  // padding of the folded (x, y) dispatch; uniform per work-group",
            "",
        ] + body)
    }

    /// `void main() { body }` under a banner naming the kernel, the body indented.
    static func mainText(name: String, body: [String]) -> String {
        "// ---- Kernel \(name) ---------------------------------------------------------------------\n"
            + "void main() {\n" + body.flatMap { $0.components(separatedBy: "\n") }.map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n") + "\n}"
    }
}
