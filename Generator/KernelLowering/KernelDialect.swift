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

    /// A comment line.
    public func comment(_ text: String) -> String { language == .openCL ? "/* \(text) */" : "// \(text)" }
}
