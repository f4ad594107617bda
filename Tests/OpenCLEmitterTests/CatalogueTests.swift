import AttentionRuntime
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

/// The catalogue's backward kernels, run on OpenCL against the float64 reference gradients.
@Suite struct CatalogueGradientTests {
    @Test(arguments: CatalogueTests.files)
    func catalogueBackwardMatchesTheReference(file: String) throws {
        let spec = try AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file))
        // The scalar backward kernels and the float64 reference gradient are slow on a CPU driver:
        // bigger specs run with ATTNGEN_LONG_TESTS=1.
        guard spec.problem.pages == nil, try LongTests.allow(spec, upToGFLOP: 0.12) else { return }
        let inputs = try randomGradientInputs(spec, seed: UInt64(file.utf8.count))
        let report = ToleranceRule().check(try SharedOpenCL.get().gradients(inputs), for: inputs)
        #expect(report.passed, "\(file): \(report)")
    }
}
