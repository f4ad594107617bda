import ArgumentParser
import Foundation
import KernelCatalog

struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build a spec's kernel package: the spec plus its Vulkan manifest and SPIR-V, in one file.",
        discussion: """
            The runtime loads such files (PrebuiltKernels) and runs a matching spec on a Vulkan device without
            generating or compiling shaders. The AttentionKernels build plugin runs this command for every spec
            JSON file of a target and bundles the packages as resources.
            Example:
              attngen package Kernels/specs/flash-d64.json --out flash-d64.attnkernels.json
            """)

    @OptionGroup var spec: SpecArgument
    @Option(help: "The package file to write (NAME.attnkernels.json).") var out: String
    @Option(help: "The package's name (default: the spec file's name without .json).") var name: String?
    @Flag(help: "Replace an existing file.") var force = false

    func run() throws {
        let loaded = try spec.load()
        let name = self.name ?? URL(fileURLWithPath: spec.spec).deletingPathExtension().lastPathComponent
        let package = try KernelPackageWriter.package(spec: loaded, name: name, file: URL(fileURLWithPath: spec.spec).lastPathComponent)
        let url = URL(fileURLWithPath: out)
        if !force && FileManager.default.fileExists(atPath: url.path),
           FileManager.default.contents(atPath: url.path).map(Array.init) != package.bytes {
            throw CLIError("\(out) already exists; pass --force to replace it")
        }
        try makeFolder(url.deletingLastPathComponent())
        try Data(package.bytes).write(to: url, options: .atomic)
        print("wrote \(out) (\(package.bytes.count) bytes)")
    }
}
