import AttentionSpec
import Foundation
import Testing

/// Every spec of the kernel catalogue, run as OpenCL kernels.
@Suite struct CatalogueTests {
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: catalogueFolder.path)) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted()

    @Test func catalogueIsThere() {
        #expect(Self.files.count >= 8, "no specs found in \(catalogueFolder.path)")
    }

    @Test(arguments: files)
    func catalogueSpecMatchesTheReferenceAndTheInterpreter(file: String) throws {
        let spec = try AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file))
        try checkOpenCL(spec, seed: UInt64(file.utf8.count))
    }
}
