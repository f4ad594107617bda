import AttentionTestSupport
import Foundation
import Testing

/// Repeated lavapipe runs under Vulkan's validation layers with GPU-assisted validation, which
/// instruments the shaders to report any buffer access out of bounds: the regression run for
/// the heap corruption once seen in repeated `bench` runs (lavapipe's device memory is host
/// heap). Minutes long, so behind `ATTNGEN_LONG_TESTS=1`.
@Suite struct ValidationLayerCLITests {
    static let layer = "/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json"

    @Test(arguments: ["Kernels/specs/decode-gqa-lean.json", "Kernels/specs/decode-gqa-splitkv.json", "Kernels/specs/block-sparse-1d.json"])
    func repeatedRunsStayInBounds(_ spec: String) throws {
        guard LongTests.enabled else { return }
        guard FileManager.default.fileExists(atPath: Self.layer) else {
            Issue.record("the Khronos validation layer is not installed (scripts/setup.sh installs vulkan-validationlayers)")
            return
        }
        let result = try AttngenProcess.run(
            ["bench", spec, "--backend", "vulkan", "--runs", "5", "--warmup", "1"],
            environment: [
                "VK_INSTANCE_LAYERS": "VK_LAYER_KHRONOS_validation",
                "VK_LAYER_ENABLES": "VK_VALIDATION_FEATURE_ENABLE_GPU_ASSISTED_EXT",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let reports = (result.stdout + result.stderr).split(separator: "\n").filter {
            $0.localizedCaseInsensitiveContains("validation error") || $0.contains("VUID")
        }
        #expect(reports.isEmpty, "\(reports.prefix(5).joined(separator: "\n"))")
    }
}
