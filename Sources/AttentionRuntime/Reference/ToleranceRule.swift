import Foundation
import AttentionSpec
import AttentionTensors

/// DESIGN.md's correctness rule (FlashAttention's tests): a backend's max error against the
/// float64 reference must be at most `factor` × the max error of a naive attention computed in
/// the backend's precision (Float, on the same storage-rounded inputs, its output rounded to the
/// spec's output type), plus a small floor.
///
/// The floor is `floor` plus the error that rounding the logits once to float32 can cause by
/// itself: with logits up to `|S|max`, any float32 kernel may move a softmax weight by a relative
/// `2⁻²³·|S|max`, so the output by `2⁻²³·|S|max·|V|max` and the lse by `2⁻²³·|S|max`. For O(1)
/// logits this is below `floor`; for large logits (inputs ×100) it keeps the rule from judging
/// the luck of one summation order against another's, which the naive baseline alone would.
public struct ToleranceRule: Sendable {
    public var factor: Double = 2
    public var floor: Double = 1e-5

    /// The type the backend rounds P to before P·V (a cooperative-matrix strategy's operand
    /// type): the same-precision baseline rounds its weights alike, as FlashAttention's tests
    /// compare a 16-bit kernel with a 16-bit naive attention.
    public var probabilities: ElementType = .float32

    public init(factor: Double = 2, floor: Double = 1e-5, probabilities: ElementType = .float32) {
        self.factor = factor
        self.floor = floor
        self.probabilities = probabilities
    }

    public struct Report: Sendable, CustomStringConvertible {
        public let outputError: Double
        public let lseError: Double
        public let baselineOutputError: Double
        public let baselineLSEError: Double
        public let outputBound: Double
        public let lseBound: Double
        /// Rows whose −inf (fully masked) status differs from the reference, or non-finite values.
        public let structuralMismatches: Int
        /// Non-finite values in q, k and v: their rows are compared by position (NaN where the
        /// reference has NaN), not by a bound.
        public var nonFiniteInputs = 0

        public var passed: Bool { structuralMismatches == 0 && outputError <= outputBound && lseError <= lseBound }

        public var description: String {
            func e(_ x: Double) -> String { x.formatted(significantDigits: 3) }
            let inputs = nonFiniteInputs == 0 ? "" : "inputs are not finite (\(nonFiniteInputs) NaN or infinite values; "
                + "their NaN rows compared by position), "
            return inputs + "output max error \(e(outputError)) (bound \(e(outputBound))), lse max error \(e(lseError)) "
                + "(bound \(e(lseBound))), \(structuralMismatches) structural mismatches: \(passed ? "PASS" : "FAIL")"
        }
    }

    /// Measures `result` against the reference for `inputs`.
    public func check(_ result: AttentionResult, for inputs: AttentionInputs) -> Report {
        let (q, k, v) = (inputs.q.elements, inputs.k.elements, inputs.v.elements)
        let bias = inputs.bias?.elements
        let exact = NaiveAttention.compute(inputs.spec, q: q, k: k, v: v, bias: bias, as: Double.self)
        let single = NaiveAttention.compute(inputs.spec, q: q, k: k, v: v, bias: bias, as: Float.self, probabilities: probabilities)
        var mismatches = 0
        func maxError(_ values: [Float], _ reference: [Double]) -> Double { Self.maxError(values, reference, mismatches: &mismatches) }
        let logitRounding = Double(Float.ulpOfOne) * exact.maxLogit
        let maxValue = Double(v.lazy.filter(\.isFinite).map(abs).max() ?? 0)
        let outputError = maxError(result.output.elements, exact.output)
        let lseError = maxError(result.lse.elements, exact.lse)
        var ignored = 0
        swap(&ignored, &mismatches)
        // The baseline stores its output in the spec's output type, as the backend does.
        let baselineOutput = maxError(single.output.map(inputs.spec.problem.outputDtype.rounded), exact.output)
        let baselineLSE = maxError(single.lse, exact.lse)
        swap(&ignored, &mismatches)
        var report = Report(
            outputError: outputError, lseError: lseError, baselineOutputError: baselineOutput,
            baselineLSEError: baselineLSE, outputBound: factor * baselineOutput + floor + logitRounding * maxValue,
            lseBound: factor * baselineLSE + floor * max(1, exact.lse.lazy.filter(\.isFinite).map(abs).max() ?? 1) + logitRounding,
            structuralMismatches: mismatches)
        report.nonFiniteInputs = [q, k, v].reduce(0) { $0 + $1.lazy.filter { !$0.isFinite }.count }
        return report
    }
}

extension ToleranceRule {
    /// The largest |value − reference| over finite pairs; −inf and NaN must sit where the
    /// reference has them (masked rows; NaN in, NaN out), each misplaced one counts in `mismatches`.
    static func maxError(_ values: [Float], _ reference: [Double], mismatches: inout Int) -> Double {
        guard values.count == reference.count else {
            mismatches += 1
            return .infinity
        }
        var worst = 0.0
        for (value, exact) in zip(values, reference) {
            if !exact.isFinite || !value.isFinite {
                if Double(value) != exact && !(value.isNaN && exact.isNaN) { mismatches += 1 }
                continue
            }
            worst = max(worst, abs(Double(value) - exact))
        }
        return worst
    }
}

extension Double {
    func formatted(significantDigits: Int) -> String {
        guard isFinite, self != 0 else { return "\(self)" }
        let magnitude = Int(Foundation.log10(Swift.abs(self)).rounded(.down))
        if (-3...5).contains(magnitude) {
            let decimals = Swift.max(0, significantDigits - 1 - magnitude)
            return String(format: "%.\(decimals)f", self)
        }
        return String(format: "%.\(significantDigits - 1)e", self)
    }
}
