import RuntimeSupport
extension VulkanDevices {
    /// Every device with its compute limits and features as a text table (for `attngen devices`).
    /// Never throws: a discovery failure becomes the report's text.
    public static func report() -> String {
        let devices: [VulkanDeviceInfo]
        do { devices = try all() } catch { return "Vulkan: \(error)\n" }
        let header = ["#", "Device", "Type", "Driver", "API", "Shared", "MaxWG", "WGSize", "Subgroup",
                      "fp16", "int8", "16bit-SSBO", "coopmat"]
        let rows = devices.map { d in
            [String(d.index), d.name, d.type.rawValue, d.driverName.isEmpty ? "?" : d.driverName, d.apiVersion.description,
             ByteCount.format(d.maxComputeSharedMemorySize), String(d.maxComputeWorkGroupInvocations),
             d.maxComputeWorkGroupSize.map(String.init).joined(separator: "×"), String(d.subgroupSize),
             yesNo(d.supportsShaderFloat16), yesNo(d.supportsShaderInt8), yesNo(d.supportsStorageBuffer16BitAccess),
             d.cooperativeMatrixExtension ?? "no"]
        }
        var lines = ["Vulkan devices:"] + table([header] + rows).map { "  " + $0 }
        for d in devices {
            var notes = "  #\(d.index): vendor 0x\(String(d.vendorID, radix: 16)) device 0x\(String(d.deviceID, radix: 16)); "
                + "driver \(d.driverID)\(d.driverInfo.isEmpty ? "" : " (\(d.driverInfo))"); "
                + "groups ≤ \(d.maxComputeWorkGroupCount.map(String.init).joined(separator: "×")); "
                + "push constants \(d.maxPushConstantsSize) B; max allocation \(ByteCount.format(d.maxMemoryAllocationSize)); "
                + "memory \(ByteCount.format(d.deviceMemorySize)); timestamps "
                + (d.timestampValidBits > 0 ? "\(d.timestampValidBits) bits × \(d.timestampPeriod) ns" : "none")
            if let limit = d.loopIterationLimit {
                notes += "; loop cap \(limit) iterations per invocation (lavapipe)"
            }
            if d.computeQueueFamily == nil { notes += "; NO COMPUTE QUEUE" }
            lines.append(notes)
            lines.append("      subgroup ops: \(d.subgroupOperations.joined(separator: ", "))")
            lines.append("      cooperative matrices\(cooperativeMatrixSummary(d))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// ": none", or " (VK_KHR_cooperative_matrix): 16x16x16 f16*f16+f32->f32 (subgroup), ..." with
    /// what keeps the listed shapes from running ("feature off", "not in compute shaders").
    private static func cooperativeMatrixSummary(_ d: VulkanDeviceInfo) -> String {
        guard let name = d.cooperativeMatrixExtension else { return ": none" }
        var caveats: [String] = []
        if !d.supportsCooperativeMatrix { caveats.append("feature off") }
        if !d.cooperativeMatrixInComputeStage { caveats.append("not in compute shaders") }
        let shapes = d.cooperativeMatrixShapes.map { "\($0.operation) (\($0.scope))" }
        return " (\(([name] + caveats).joined(separator: ", "))): "
            + (shapes.isEmpty ? "no shapes listed" : shapes.joined(separator: ", "))
    }

    private static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    /// Left-aligned columns separated by two spaces.
    private static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            var line = zip(row, widths).map { cell, width in cell + String(repeating: " ", count: width - cell.count) }
                .joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
