import AttentionSpec
import Foundation

/// Kernel packages built ahead of time, found by spec: give them to `AttentionRuntime` and a
/// Vulkan device runs a matching spec from its package (no code generation, no shader compile);
/// other specs are generated as usual.
///
/// ```swift
/// let kernels = try PrebuiltKernels(bundle: .module)   // resources made by the build plugin
/// let runtime = try AttentionRuntime(kernels: kernels)
/// let spec = try kernels.spec(named: "flash-d64")
/// ```
public struct PrebuiltKernels: Sendable {
    public let packages: [KernelPackage]

    public init(packages: [KernelPackage]) {
        self.packages = packages
    }

    /// Every `*.attnkernels.json` under `folder` (searched recursively).
    public init(folder: URL) throws(AttentionError) {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            throw .invalidKernelPackage(file: folder.path, reason: "the folder cannot be read")
        }
        var found: [URL] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(KernelPackage.fileSuffix) { found.append(url) }
        var packages: [KernelPackage] = []
        for url in found.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            packages.append(try KernelPackage(contentsOf: url))
        }
        self.init(packages: packages)
    }

    /// The packages among a bundle's resources (the build plugin's output).
    public init(bundle: Bundle) throws(AttentionError) {
        guard let resources = bundle.resourceURL else {
            throw .invalidKernelPackage(file: bundle.bundlePath, reason: "the bundle has no resource folder")
        }
        try self.init(folder: resources)
    }

    public var names: [String] { packages.map(\.name) }

    /// The spec a package was built from, by name (its spec file's name without `.json`).
    public func spec(named name: String) throws(AttentionError) -> AttentionSpec {
        guard let package = packages.first(where: { $0.name == name }) else {
            throw .invalidKernelPackage(file: name, reason: "no kernel package of that name (have: \(names.joined(separator: ", ")))")
        }
        return package.spec
    }

    /// The package built from exactly `spec`, if any.
    public func package(for spec: AttentionSpec) -> KernelPackage? {
        packages.first { $0.spec == spec }
    }
}
