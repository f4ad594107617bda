import ArgumentParser
import Foundation
import KernelCatalog

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Regenerate the kernel catalogue (Kernels/) from its specs, or check it has not drifted.",
        discussion: """
            For every SPECS/NAME.json writes OUT/opencl/NAME.cl and NAME.manifest.json, OUT/glsl/NAME.comp (one
            NAME.KERNEL.comp per further shader) and NAME.glsl-manifest.json, OUT/spirv/NAME.spv, and OUT/INDEX.md.
            Files in the generated folders that no spec makes any more are listed; --prune deletes them.
            --check writes nothing and exits 1 when the committed files differ from what the generator makes now.
            Examples:
              attngen catalog
              attngen catalog --check
            """)

    @Option(help: "Folder of spec files (NAME.json).") var specs = "Kernels/specs"
    @Option(help: "Catalogue folder to write (opencl/, glsl/, spirv/, INDEX.md).") var out = "Kernels"
    @Flag(help: "Compare instead of writing; exit 1 on any difference.") var check = false
    @Flag(help: "Delete generated files that no spec makes any more.") var prune = false

    func run() throws {
        let folder = URL(fileURLWithPath: out)
        let expected = try KernelCatalog.artifacts(specsFolder: URL(fileURLWithPath: specs))
        let drift = KernelCatalog.drift(kernelsFolder: folder, expected: expected)
        if check {
            if drift.isEmpty {
                print("catalogue up to date: \(expected.count) files")
                return
            }
            for item in drift { print(item) }
            print("catalogue differs from the generator in \(drift.count) files; run `attngen catalog` and commit the result")
            throw ExitCode(1)
        }
        var written = 0
        for artifact in expected where drift.contains(.missing(artifact.path)) || drift.contains(.differs(artifact.path)) {
            let url = folder.appendingPathComponent(artifact.path)
            try makeFolder(url.deletingLastPathComponent())
            try Data(artifact.bytes).write(to: url, options: .atomic)
            written += 1
        }
        for case .stale(let path) in drift {
            if prune {
                try FileManager.default.removeItem(at: folder.appendingPathComponent(path))
                print("deleted stale \(path)")
            } else {
                print("stale: \(path) (no spec makes it; --prune deletes it)")
            }
        }
        print("catalogue: \(expected.count) files, \(written) written, \(expected.count - written) unchanged")
    }
}
