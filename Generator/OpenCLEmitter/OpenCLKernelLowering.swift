import AttentionSpec
import KernelIR
import KernelLowering

/// Lowers the kernels of a `KernelProgram` to OpenCL C, op by op: each `TileOp` becomes one
/// call of its helper (`OpenCLTileHelpers`) under a comment naming the op, each loop op a loop.
/// Also decides each kernel's arguments, which the manifest and the host bind by name.
struct OpenCLKernelLowering {
    let spec: AttentionSpec
    let configuration: OpenCLConfiguration
    let queryTiles: Int

    enum Role { case attention, merge }

    func role(of kernel: KernelFunction) -> Role {
        kernel.body.contains { if case .forEachSegment = $0 { true } else { false } } ? .attention : .merge
    }

    var isFlash: Bool { spec.schedule == .flash }

    // MARK: Arguments

    func arguments(of kernel: KernelFunction) -> [OpenCLKernelArgument] {
        let p = spec.problem
        switch role(of: kernel) {
        case .attention:
            var arguments: [OpenCLKernelArgument] = ["q", "k", "v"].map { .buffer($0, "__global const storage_t*") }
            if spec.scores.bias != nil { arguments.append(.buffer("bias", "__global const float*")) }
            if kernel.contains(.storeOutput) { arguments += outputArguments }
            if kernel.contains(.storePartial) {
                arguments += ["partial_m", "partial_l", "partial_acc"].map { .buffer($0, "__global float*") }
            }
            arguments += ["query_tile_offsets", "query_tile_tokens", "key_tile_offsets", "key_tile_tokens", "visit_offsets", "visits"]
                .map(OpenCLKernelArgument.planBuffer)
            if !isFlash { arguments += ["segment_offsets", "segments"].map(OpenCLKernelArgument.planBuffer) }
            if p.pages != nil { arguments.append(.planBuffer("key_slots")) }
            arguments += [.int("heads", p.heads), .int("kv_heads", p.kvHeads), .int("query_tokens", p.queryTokens), .int("key_tokens", p.keyTokens)]
            if isFlash { arguments.append(.int("query_tiles", queryTiles)) }
            arguments.append(OpenCLKernelArgument("scale", "const float", .float(Float(kernel.scale ?? p.effectiveScale))))
            return arguments + OpenCLKernelArgument.mask(configuration.mask, problem: p)
        case .merge:
            return ["partial_m", "partial_l", "partial_acc"].map { .buffer($0, "__global const float*") }
                + ["slot_offsets", "query_tile_offsets", "query_tile_tokens"].map(OpenCLKernelArgument.planBuffer)
                + outputArguments
                + [.int("heads", p.heads), .int("query_tokens", p.queryTokens), .int("query_tiles", queryTiles)]
        }
    }

    /// The output (float32, or `ushort` elements narrowed from float32) and the lse.
    private var outputArguments: [OpenCLKernelArgument] {
        [.buffer("output", "__global \(OutputStorage(configuration.outputDtype, dialect: .openCL).bufferType)*"), .buffer("lse", "__global float*")]
    }

        // MARK: Kernel text

    /// The kernel: its signature, the work-group's arrays and the one lowering's statements.
    func source(of kernel: KernelFunction) -> String {
        let lowering = configuration.lowering(flash: isFlash, maskFunction: configuration.mask.functionName)
        var body = ["const int group = (int)get_group_id(0);"]
        switch role(of: kernel) {
        case .attention:
            body = lowering.sharedDeclarations + [configuration.mask.contextInitializer(.openCL)!] + body + lowering.attentionBody(kernel)
        case .merge:
            body += lowering.mergeBody(kernel, workgroupSize: configuration.workgroupSize)
        }
        return Self.kernelText(name: kernel.name, arguments: arguments(of: kernel), body: body)
    }

    /// `__kernel void NAME(arguments) { body }`, the arguments one a line, the body indented;
    /// every kernel requires a `WG_SIZE` local size.
    static func kernelText(name: String, arguments: [OpenCLKernelArgument], body: [String]) -> String {
        let opening = "void \(name)("
        let signature = opening + arguments.map(\.declaration).joined(separator: ",\n" + String(repeating: " ", count: opening.count)) + ")"
        return "__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))\n\(signature) {\n"
            + body.flatMap { $0.components(separatedBy: "\n") }.map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n") + "\n}"
    }
}
