import RuntimeSupport
extension OpenCLDevices {
    /// Every platform and device with its limits as a text table (for `attngen devices`).
    /// Never throws: a discovery failure becomes the report's text.
    public static func report() -> String {
        let platforms: [OpenCLPlatform]
        do { platforms = try self.platforms() } catch { return "OpenCL: \(error)\n" }
        var lines: [String] = []
        for platform in platforms {
            lines.append("Platform \(platform.index): \(platform.name) — \(platform.vendor) — \(platform.version)")
            guard !platform.devices.isEmpty else {
                lines.append("  (no devices)")
                continue
            }
            let header = ["#", "Device", "Type", "CUs", "MaxWG", "WorkItems", "Local", "Global", "MaxAlloc", "OpenCL C", "fp16", "subgroups"]
            let rows = platform.devices.map { d in
                [String(d.index), d.name, d.type.rawValue, String(d.computeUnits), String(d.maxWorkGroupSize),
                 d.maxWorkItemSizes.map(String.init).joined(separator: "×"),
                 ByteCount.format(d.localMemorySize) + (d.localMemoryIsDedicated ? "" : "*"),
                 ByteCount.format(d.globalMemorySize), ByteCount.format(d.maxAllocationSize),
                 d.openCLCVersion.replacingPrefix("OpenCL C ", with: ""),
                 d.hasFP16 ? "yes" : "no", d.hasSubgroups ? d.subgroupExtensions.joined(separator: ",") : "no"]
            }
            lines.append(contentsOf: table([header] + rows).map { "  " + $0 })
            for d in platform.devices {
                lines.append("  #\(d.index): vendor \(d.vendor); driver \(d.driverVersion); \(d.version); "
                             + "\(d.maxClockMHz) MHz\(d.available ? "" : "; NOT AVAILABLE")")
                lines.append("      extensions: \(d.extensions.joined(separator: " "))")
            }
            if platform.devices.contains(where: { !$0.localMemoryIsDedicated }) {
                lines.append("  * local memory emulated in global memory")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Left-aligned columns separated by two spaces.
    private static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { cell, width in cell + String(repeating: " ", count: width - cell.count) }
                .joined(separator: "  ").trimmingWhitespace()
        }
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
