/// The few numbers of a machine the cost model needs. Presets quote vendor datasheets
/// (docs/cost-model.md lists the sources); `thisCPU` was measured on the 2-core AVX-512 build machine.
public struct MachineModel: Hashable, Sendable, Codable {
    public var name: String
    /// Peak FLOP/s for float32 arithmetic.
    public var peakFlops32: Double
    /// Peak FLOP/s for float16/bfloat16 inputs (tensor cores where the machine has them).
    public var peakFlops16: Double
    /// Memory bandwidth in bytes/s.
    public var bandwidth: Double
    /// Work-groups that run at once (SMs, CUs, cores).
    public var computeUnits: Int

    public init(name: String, peakFlops32: Double, peakFlops16: Double, bandwidth: Double, computeUnits: Int) {
        self.name = name
        self.peakFlops32 = peakFlops32
        self.peakFlops16 = peakFlops16
        self.bandwidth = bandwidth
        self.computeUnits = computeUnits
    }

    public static let a100 = MachineModel(name: "A100-SXM4-80GB", peakFlops32: 19.5e12, peakFlops16: 312e12, bandwidth: 2.039e12, computeUnits: 108)
    public static let h100 = MachineModel(name: "H100-SXM5", peakFlops32: 67e12, peakFlops16: 989e12, bandwidth: 3.35e12, computeUnits: 132)
    public static let h200 = MachineModel(name: "H200-SXM", peakFlops32: 67e12, peakFlops16: 989e12, bandwidth: 4.8e12, computeUnits: 132)
    public static let b200 = MachineModel(name: "B200", peakFlops32: 80e12, peakFlops16: 2250e12, bandwidth: 8e12, computeUnits: 148)
    public static let integratedGPU = MachineModel(
        name: "Iris-Xe-96EU", peakFlops32: 2.07e12, peakFlops16: 4.15e12, bandwidth: 68e9, computeUnits: 96)
    public static let thisCPU = MachineModel(name: "EPYC-2core-AVX512", peakFlops32: 166e9, peakFlops16: 166e9, bandwidth: 24e9, computeUnits: 2)

    public static let presets: [String: MachineModel] = [
        "a100": .a100, "h100": .h100, "h200": .h200, "b200": .b200, "igpu": .integratedGPU, "cpu": .thisCPU,
    ]

    /// This machine with a different number of compute units, peak and bandwidth scaled to match.
    public func withComputeUnits(_ units: Int) -> MachineModel {
        let factor = Double(units) / Double(computeUnits)
        var copy = self
        copy.computeUnits = units
        copy.peakFlops32 *= factor
        copy.peakFlops16 *= factor
        copy.bandwidth *= factor
        copy.name = "\(name)@\(units)CU"
        return copy
    }
}
