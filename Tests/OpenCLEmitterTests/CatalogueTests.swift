import AttentionSpec
import AttentionTestSupport
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
        // PoCL runs the generated kernels at about 5 GFLOP/s; bigger specs run with ATTNGEN_LONG_TESTS=1.
        guard try LongTests.allow(spec, upToGFLOP: 1.05) else { return }
        try checkOpenCL(spec, seed: UInt64(file.utf8.count))
    }
}
