/// The fragment operations of a cooperative-matrix strategy in its GLSL form: declaring,
/// zeroing, loading, multiplying and storing `m × n × k` fragments held in shared memory. The
/// lowering calls these the same way for every form, so the emulated form (plain loops over
/// shared memory) exercises exactly the offsets, strides and layouts the real forms use.
///
/// A load from shared memory in the emulated form emits nothing: it records where the operand
/// lives, and the product reads its elements from there. Lane `lane` of the emulated subgroup
/// owns accumulator elements `lane + e·lanes` (`e < m·n / lanes`), row-major in the fragment;
/// they live in the subgroup's part of the shared `frag_acc` (a private array indexed in a loop
/// costs llvmpipe's JIT minutes), which no other lane touches, so no barrier orders them.
public struct CooperativeMatrixFragments: Sendable {
    public let matrix: CooperativeMatrixStrategy
    /// Emulated form: the loops over a lane's elements are expanded (else real loops, whose
    /// short bodies llvmpipe's JIT compiles in a fraction of the time).
    public let unrolled: Bool

    /// An operand fragment in shared memory: `array[offset + row·stride + column]` (row-major)
    /// or `array[offset + column·stride + row]` (column-major).
    public struct Operand: Sendable {
        public let array: String
        public let offset: String
        public let stride: String
        public let columnMajor: Bool

        public init(_ array: String, offset: String, stride: String, columnMajor: Bool = false) {
            self.array = array
            self.offset = offset
            self.stride = stride
            self.columnMajor = columnMajor
        }

        func element(row: String, column: String) -> String {
            columnMajor ? "\(array)[\(offset) + \(column) * \(stride) + \(row)]" : "\(array)[\(offset) + \(row) * \(stride) + \(column)]"
        }
    }

    public init(_ matrix: CooperativeMatrixStrategy, unrolled: Bool = false) {
        self.matrix = matrix
        self.unrolled = unrolled
    }

    private var form: CooperativeMatrixStrategy.Form { matrix.form }

    /// The GLSL element type of the operand arrays in shared memory.
    public var operandType: String { form == .emulated ? "float" : "float16_t" }

    /// `value` (a float) as an operand element, rounded to the operand type; `exact`: the value is
    /// one already (an element of a tensor stored in the operand type), so the emulated form keeps it.
    public func operand(_ value: String, exact: Bool = false) -> String {
        form == .emulated ? (exact ? value : "round_operand(\(value))") : "float16_t(\(value))"
    }

    /// `value` rounded to the operand type, as a float.
    public func rounded(_ value: String) -> String { form == .emulated ? "round_operand(\(value))" : "float(float16_t(\(value)))" }

    private func type(_ use: String, rows: String, columns: String) -> String {
        switch form {
        case .nv: return "fcoopmatNV<\(use == "Accumulator" ? 32 : 16), gl_ScopeSubgroup, \(rows), \(columns)>"
        case .khr: return "coopmat<\(use == "Accumulator" ? "float" : "float16_t"), gl_ScopeSubgroup, \(rows), \(columns), gl_MatrixUse\(use)>"
        case .emulated: return "float"
        }
    }

    private var accumulatorType: String { type("Accumulator", rows: "FM", columns: "FN") }

    /// Element (`r`, `c`) of the emulated accumulator.
    private var emulatedElement: String { "frag_acc[sg * (FM * FN) + r * FN + c]" }

    /// The emulated accumulators' shared array (nil for the real forms).
    public var scratchDeclaration: String? {
        form == .emulated ? "shared float frag_acc[SUBGROUPS * FM * FN];  // each emulated subgroup's accumulator fragment" : nil
    }

    /// Floats of the emulated accumulators' shared array.
    public var scratchFloats: Int { form == .emulated ? matrix.subgroups * matrix.m * matrix.n : 0 }

    /// Declares accumulator `name` set to zero.
    public func zeroAccumulator(_ name: String) -> [String] {
        if form == .emulated { return laneElements { _, _, _ in "\(emulatedElement) = 0.0f;" } }
        return ["\(accumulatorType) \(name) = \(accumulatorType)(0.0);"]
    }

    /// Declares accumulator `name` loaded from the float32 shared array `source` (row-major).
    public func loadAccumulator(_ name: String, from source: Operand) -> [String] {
        if form == .emulated {
            return laneElements { _, row, column in "\(emulatedElement) = \(source.element(row: row, column: column));" }
        }
        return ["\(accumulatorType) \(name);", load(name, source)]
    }

    /// Stores accumulator `name` to the float32 shared array `target` (row-major).
    public func storeAccumulator(_ name: String, to target: Operand) -> [String] {
        switch form {
        case .nv: return ["coopMatStoreNV(\(name), \(target.array), uint(\(target.offset)), uint(\(target.stride)), false);"]
        case .khr: return ["coopMatStore(\(name), \(target.array), uint(\(target.offset)), uint(\(target.stride)), gl_CooperativeMatrixLayoutRowMajor);"]
        case .emulated: return laneElements { _, row, column in "\(target.element(row: row, column: column)) = \(emulatedElement);" }
        }
    }

    /// `accumulator += a · b` for an `FM × FK` fragment `a` and an `FK × FN` fragment `b` in
    /// shared memory (each loaded into a fragment first in the real forms).
    public func multiplyAdd(_ accumulator: String, _ a: Operand, _ b: Operand) -> [String] {
        if form == .emulated {
            // The fragment depth is expanded (a short sum); the loop over the lane's elements is not.
            return laneElements { _, row, column in
                let terms = (0..<matrix.k).map { "\(a.element(row: row, column: "\($0)")) * \(b.element(row: "\($0)", column: column))" }
                return "\(emulatedElement) += " + terms.joined(separator: " + ") + ";"
            }
        }
        let multiply = form == .nv ? "coopMatMulAddNV" : "coopMatMulAdd"
        return [
            "\(type("A", rows: "FM", columns: "FK")) a_frag;", load("a_frag", a),
            "\(type("B", rows: "FK", columns: "FN")) b_frag;", load("b_frag", b),
            "\(accumulator) = \(multiply)(a_frag, b_frag, \(accumulator));",
        ]
    }

    private func load(_ name: String, _ source: Operand) -> String {
        switch form {
        case .nv: return "coopMatLoadNV(\(name), \(source.array), uint(\(source.offset)), uint(\(source.stride)), \(source.columnMajor));"
        case .khr:
            let layout = source.columnMajor ? "gl_CooperativeMatrixLayoutColumnMajor" : "gl_CooperativeMatrixLayoutRowMajor"
            return "coopMatLoad(\(name), \(source.array), uint(\(source.offset)), uint(\(source.stride)), \(layout));"
        case .emulated: return "#error the emulated form reads operands in place"
        }
    }

    /// The statement `body(e, row, column)` for each accumulator element `e` of this lane, where
    /// `r` and `c` hold the element's fragment row and column: a loop over the elements, or
    /// (unrolled) one line each.
    private func laneElements(_ body: (String, String, String) -> String) -> [String] {
        guard unrolled else {
            return [
                "for (int e = 0; e < LANE_ELEMENTS; ++e) {",
                "    const int r = (lane + e * LANES) / FN, c = (lane + e * LANES) % FN;",
                "    " + body("e", "r", "c"),
                "}",
            ]
        }
        return (0..<matrix.laneElements).map { e in
            let index = e == 0 ? "lane" : "(lane + \(e * matrix.lanes))"
            return "{ const int r = \(index) / FN, c = \(index) % FN; \(body("\(e)", "r", "c")) }"
        }
    }

    /// Loop iterations one emulated load, store, clear or product runs (nothing when unrolled or real).
    public var operationLoopIterations: Int { form == .emulated && !unrolled ? matrix.laneElements + 1 : 0 }

    /// The GLSL extensions the form needs.
    public var extensions: [String] {
        switch form {
        case .nv:
            return [
                "#extension GL_NV_cooperative_matrix : require                       // S = Q*K^T and O += P*V on fragments",
                "#extension GL_KHR_memory_scope_semantics : require                  // (the extension's gl_ScopeSubgroup)",
                "#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require  // float16_t operands in shared memory",
                "#extension GL_KHR_shader_subgroup_basic : require                   // gl_SubgroupID",
            ]
        case .khr:
            return [
                "#extension GL_KHR_cooperative_matrix : require                      // S = Q*K^T and O += P*V on fragments",
                "#extension GL_KHR_memory_scope_semantics : require                  // (the extension's gl_ScopeSubgroup)",
                "#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require  // float16_t operands in shared memory",
                "#extension GL_KHR_shader_subgroup_basic : require                   // gl_SubgroupID",
            ]
        case .emulated: return []
        }
    }

    /// The emulated form's `round_operand`: a float rounded to the operand type (to nearest even,
    /// in integer arithmetic, as the real forms' conversions do); nil for the real forms.
    public var helpers: String? {
        guard form == .emulated, let narrow = OutputStorage.narrowing(matrix.operand, named: "narrow_operand", dialect: .glsl) else { return nil }
        let widen = matrix.operand == .bfloat16 ? "uintBitsToFloat(narrow_operand(value) << 16)" : "unpackHalf2x16(narrow_operand(value)).x"
        return "// ---- Operands: \(matrix.operand.rawValue), emulated fragments hold them as rounded floats ---------------\n"
            + narrow + "\nfloat round_operand(float value) { return \(widen); }"
    }

    /// This invocation's subgroup (and, emulated, its lane): real subgroups are the device's.
    public var identifiers: [String] {
        form == .emulated ? ["const int sg = lid / LANES, lane = lid % LANES;  // emulated subgroup and lane"]
            : ["const int sg = int(gl_SubgroupID);  // cooperative-matrix operations are subgroup-wide"]
    }
}
