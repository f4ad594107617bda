/// The thin layer in which OpenCL C 1.2 and GLSL 450 differ: address spaces, barriers, ids,
/// how buffers, plan tables and run-time sizes are reached (kernel arguments vs bindings and
/// push constants), casts and the mask predicate's call. Everything else of a
/// kernel is written once, by `AttentionKernelLowering`, in the C subset both languages share.
public struct KernelDialect: Hashable, Sendable {
    public enum Language: String, Hashable, Sendable { case openCL, glsl }

    public let language: Language

    public static let openCL = KernelDialect(language: .openCL)
    public static let glsl = KernelDialect(language: .glsl)

    /// The work-group barrier that also makes shared-memory writes visible.
    public var sync: String {
        language == .openCL ? "barrier(CLK_LOCAL_MEM_FENCE);" : "memoryBarrierShared();\nbarrier();"
    }

    public var localID: String { language == .openCL ? "(int)get_local_id(0)" : "int(gl_LocalInvocationID.x)" }

    /// This invocation's index in a 1-D range of work-groups of `WG_SIZE` (GLSL folds large
    /// group counts into x and y, so the index is rebuilt from both).
    public var globalID: String {
        language == .openCL ? "(int)get_global_id(0)"
            : "(int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * WG_SIZE + int(gl_LocalInvocationID.x))"
    }

    /// Negative infinity (GLSL has no literal: the preamble defines `NEG_INF` from its bits).
    public var negativeInfinity: String { language == .openCL ? "-INFINITY" : "NEG_INF" }

    /// A work-group array of `count` elements.
    public func shared(_ type: String, _ name: String, _ count: String) -> String {
        (language == .openCL ? "__local " : "shared ") + "\(type) \(name)[\(count)];"
    }

    /// A run-time size: a kernel argument, or a member of the push-constant block.
    public func scalar(_ name: String) -> String { language == .openCL ? name : "pc.\(name)" }

    /// Entry `index` of a host-built plan table: a buffer argument of its own, or a range of the
    /// packed plan buffer.
    public func plan(_ table: String, _ index: String) -> String {
        language == .openCL ? "\(table)[\(index)]" : "plan_data[pc.\(table)_base + \(index)]"
    }

    /// Element `index` of an input tensor, widened to float32 (the storage preamble's loads).
    public func load(_ tensor: String, _ index: String) -> String {
        language == .openCL ? "load_element(\(tensor), \(index))" : "load_\(tensor)(\(index))"
    }

    /// The float32 result or scratch buffer `name`.
    public func buffer(_ name: String) -> String { language == .openCL ? name : "\(name)_data" }

    /// The unsigned element-index type: tensors may pass 2^31 elements.
    public func index(_ expression: String) -> String {
        language == .openCL ? "(size_t)(\(expression))" : "uint(\(expression))"
    }

    public var indexType: String { language == .openCL ? "size_t" : "uint" }

    /// The mask predicate applied to a (query token, key token) pair.
    public func maskAllows(_ function: String, _ query: String, _ key: String) -> String {
        language == .openCL ? "\(function)(\(query), \(key), &mask)" : "\(function)(\(query), \(key))"
    }

    /// The type of a `width`-wide float vector (`float` at width 1).
    public func vector(_ width: Int) -> String {
        width == 1 ? "float" : (language == .openCL ? "float\(width)" : "vec\(width)")
    }

    /// `value` in every lane of a `width`-wide vector.
    public func splat(_ width: Int, _ value: String) -> String {
        width == 1 ? value : (language == .openCL ? "(float\(width))(\(value))" : "vec\(width)(\(value))")
    }

    /// `width` consecutive floats of the work-group array `array` from element `offset`.
    public func loadVector(_ width: Int, _ array: String, _ offset: String) -> String {
        if width == 1 { return "\(array)[\(offset)]" }
        if language == .openCL { return "vload\(width)(0, \(array) + \(offset))" }
        return "vec\(width)(" + (0..<width).map { "\(array)[\(offset) + \($0)]" }.joined(separator: ", ") + ")"
    }

    /// Stores a `width`-wide vector to `array` from element `offset` (a statement).
    public func storeVector(_ width: Int, _ value: String, _ array: String, _ offset: String) -> String {
        if width == 1 { return "\(array)[\(offset)] = \(value);" }
        if language == .openCL { return "vstore\(width)(\(value), 0, \(array) + \(offset));" }
        return "{ const vec\(width) stored = \(value); " + (0..<width).map { "\(array)[\(offset) + \($0)] = stored[\($0)];" }.joined(separator: " ") + " }"
    }

    /// `value` with 0 in the lanes where `scores` is −inf (masked keys), every other lane kept
    /// (NaN scores included).
    public func zeroWhereMasked(_ width: Int, _ value: String, scores: String) -> String {
        let ninf = splat(width, negativeInfinity)
        if width == 1 { return "(\(scores) == \(negativeInfinity) ? 0.0f : \(value))" }
        if language == .openCL { return "select(\(value), \(splat(width, "0.0f")), isequal(\(scores), \(ninf)))" }
        return "mix(\(value), \(splat(width, "0.0f")), equal(\(scores), \(ninf)))"
    }

    /// Lane `lane` of the vector `value` (the value itself at width 1).
    public func lane(_ value: String, _ lane: Int, width: Int) -> String {
        width == 1 ? value : (language == .openCL ? "\(value).s\(String(lane, radix: 16))" : "\(value)[\(lane)]")
    }

    /// The widest vector the dialect spells (GLSL stops at vec4).
    public var maxVectorWidth: Int { language == .openCL ? 16 : 4 }

    /// `value` of the invocation whose subgroup lane is this one's XOR `mask` (GLSL's
    /// `GL_KHR_shader_subgroup_shuffle`; OpenCL C 1.2 has no such operation, and
    /// `KernelStrategy.problem(on:)` keeps strategies that need it off OpenCL devices).
    public func shuffleXor(_ value: String, _ mask: Int) -> String {
        language == .glsl ? "subgroupShuffleXor(\(value), \(mask))" : "#error subgroup shuffles need GLSL"
    }

    /// `expression` converted to float.
    public func toFloat(_ expression: String) -> String {
        language == .openCL ? "(float)(\(expression))" : "float(\(expression))"
    }

    /// A float literal that reads back as exactly `value` (finite).
    public func floatLiteral(_ value: Float) -> String {
        let text = "\(value)"
        return language == .openCL ? text + "f" : text
    }

    /// A compile-time float constant (a `#define` in OpenCL C, a `const float` in GLSL).
    public func floatConstant(_ name: String, _ value: Float) -> String {
        language == .openCL ? "#define \(name) \(floatLiteral(value))" : "const float \(name) = \(floatLiteral(value));"
    }

    /// A compile-time float table at file scope.
    public func floatArray(_ name: String, _ values: [Float]) -> String {
        let items = values.map(floatLiteral).joined(separator: ", ")
        return language == .openCL ? "__constant float \(name)[\(values.count)] = { \(items) };"
            : "const float \(name)[\(values.count)] = float[\(values.count)](\(items));"
    }

    /// A comment line.
    public func comment(_ text: String) -> String { language == .openCL ? "/* \(text) */" : "// \(text)" }

    /// A comment of several lines.
    public func comments(_ lines: [String]) -> String {
        if language == .glsl { return lines.map { "// \($0)" }.joined(separator: "\n") }
        return "/* " + lines.joined(separator: "\n   ") + " */"
    }

    /// Compile-time integer constants, one a line, their comments aligned: `#define`s in OpenCL C
    /// (so `#if` can test them), `const int`s in GLSL.
    public func constants(_ constants: [(name: String, value: Int, comment: String)]) -> String {
        let texts = constants.map { language == .openCL ? "#define \($0.name) \($0.value)" : "const int \($0.name) = \($0.value);" }
        let width = texts.map(\.count).max() ?? 0
        return zip(texts, constants).map { text, c in
            text + String(repeating: " ", count: width - text.count) + "  " + comment(c.comment)
        }.joined(separator: "\n")
    }

    // MARK: The mask predicate's context

    /// A mask parameter: a `#define`, or a specialization constant whose default is the spec's.
    public func maskParameter(_ p: MaskParameter) -> String {
        if language == .openCL { return "#define \(p.name) \(p.value)  /* \(p.comment) */" }
        let value = p.type == "bool" ? (p.value != 0 ? "true" : "false") : "\(p.value)"
        return "layout(constant_id = \(p.id)) const \(p.type) \(p.name) = \(value);  // \(p.comment)"
    }

    /// A run-time size as the predicate reads it: from the record it is passed (OpenCL kernel
    /// arguments are not visible to helper functions), or from the push-constant block.
    public func maskSize(_ name: String) -> String { language == .openCL ? "mask->\(name)" : "pc.\(name)" }

    /// Entry `index` of the mask table (block-sparse: listed block pairs; varlen: key intervals).
    public func maskTable(_ index: String) -> String {
        language == .openCL ? "mask->mask_table[\(index)]" : plan("mask_table", index)
    }

    /// The predicate's parameters after `int query, int key`.
    public var maskContextParameter: String { language == .openCL ? ", const mask_params* mask" : "" }

    /// OpenCL's record of what the predicate reads (GLSL needs none: push constants are global).
    public func maskContextRecord(sizes: [String], maskTable: Bool) -> String {
        guard language == .openCL else { return "" }
        let fields = ["int query_tokens;  /* flat query grid size (Sq) */", "int key_tokens;    /* flat key grid size (Sk) */"]
            + sizes.map { "int \($0);  /* tokens of the grid on axis \($0.last!) */" }
            + (maskTable ? ["__global const int* mask_table;  /* block pairs listed, or key intervals per query */"] : [])
        return "/* Run-time sizes the mask formula reads. */\ntypedef struct {\n"
            + fields.map { "    " + $0 }.joined(separator: "\n") + "\n} mask_params;"
    }

    /// The kernel statement that fills the record from the kernel's arguments (nil in GLSL).
    public func maskContextInitializer(sizes: [String], maskTable: Bool) -> String? {
        guard language == .openCL else { return nil }
        let values = ["query_tokens", "key_tokens"] + sizes + (maskTable ? ["mask_table"] : [])
        return "const mask_params mask = { \(values.joined(separator: ", ")) };"
    }
}
