import AttentionTensors

/// The tolerance rule for gradients (FlashAttention's backward tests use the same rule as its
/// forward ones): each of dQ, dK and dV must be within `factor` × the error of the naive
/// backward in float32 (on the same storage-rounded inputs) of the float64 reference, plus a
/// floor relative to the gradient's size and the error one rounding of the logits to float32
/// can cause by itself (`2⁻²³·|S|max`, relative), as in the forward rule.
extension ToleranceRule {
    public struct GradientReport: Sendable, CustomStringConvertible {
        public struct Entry: Sendable {
            public let name: String
            public let error: Double
            public let baselineError: Double
            public let bound: Double
        }

        /// dq, dk and dv, in that order.
        public let entries: [Entry]
        /// Non-finite values where the reference is finite, or the other way round.
        public let structuralMismatches: Int

        public var passed: Bool { structuralMismatches == 0 && entries.allSatisfy { $0.error <= $0.bound } }

        public var description: String {
            func e(_ x: Double) -> String { x.formatted(significantDigits: 3) }
            return entries.map { "\($0.name) max error \(e($0.error)) (bound \(e($0.bound)))" }.joined(separator: ", ")
                + ", \(structuralMismatches) structural mismatches: \(passed ? "PASS" : "FAIL")"
        }
    }

    /// Measures `gradients` against the float64 reference gradients for `inputs`.
    public func check(_ gradients: AttentionGradients, for inputs: AttentionGradientInputs) -> GradientReport {
        let f = inputs.forward
        let (q, k, v, dOutput) = (f.q.elements, f.k.elements, f.v.elements, inputs.dOutput.elements)
        let bias = inputs.forward.bias?.elements
        let exact = NaiveGradients.compute(inputs.spec, q: q, k: k, v: v, bias: bias, dOutput: dOutput, as: Double.self)
        let single = NaiveGradients.compute(inputs.spec, q: q, k: k, v: v, bias: bias, dOutput: dOutput, as: Float.self)
        let logitRounding = Double(Float.ulpOfOne) * exact.maxLogit
        var mismatches = 0
        var ignored = 0
        let entries = [
            ("dq", gradients.dq.elements, single.dq, exact.dq), ("dk", gradients.dk.elements, single.dk, exact.dk),
            ("dv", gradients.dv.elements, single.dv, exact.dv),
        ].map { name, values, baseline, reference in
            let size = max(1, reference.lazy.filter(\.isFinite).map(abs).max() ?? 1)
            let error = Self.maxError(values, reference, mismatches: &mismatches)
            let baselineError = Self.maxError(baseline, reference, mismatches: &ignored)
            return GradientReport.Entry(
                name: name, error: error, baselineError: baselineError,
                bound: factor * baselineError + (floor + logitRounding) * size)
        }
        return GradientReport(entries: entries, structuralMismatches: mismatches)
    }
}
