// swift-tools-version: 6.0
import PackageDescription

// Layers, one direction of dependency (data flows the same way):
//   AttentionTensors ← AttentionSpec ← AttentionPlan ← AttentionSimulator
//   AttentionPlan ← KernelIR (the tile program, shared by the interpreter and the emitters)
//   KernelIR ← KernelLowering (kernel strategy as data, the one lowering, its dialects, loop estimate)
//   KernelIR ← CPUInterpreter;  KernelLowering ← OpenCLEmitter, GLSLEmitter (thin dialect shells) ← KernelCatalog
//   RuntimeSupport ← OpenCLRuntime, VulkanRuntime, SPIRVCompiler (device APIs)
//   generator + device APIs + CPUInterpreter ← AttentionRuntime (backends, prepared-kernel cache, auto choice)
//   ← AttentionGen (umbrella) ← attngen (CLI)
let package = Package(
    name: "AttentionGen",
    products: [
        .library(name: "AttentionGen", targets: ["AttentionGen"]),
        .executable(name: "attngen", targets: ["attngen"]),
        .plugin(name: "AttentionKernels", targets: ["AttentionKernelsPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "AttentionTensors", dependencies: ["CAttentionKernels"]),
        .target(name: "AttentionSpec", dependencies: ["AttentionTensors"]),
        .target(name: "AttentionPlan", dependencies: ["AttentionSpec"]),
        .target(name: "AttentionSimulator", dependencies: ["AttentionPlan", "AttentionSpec"]),
        .target(name: "KernelIR", dependencies: ["AttentionPlan", "AttentionSpec"], path: "Generator/KernelIR"),
        .target(name: "KernelLowering", dependencies: ["KernelIR", "AttentionPlan", "AttentionSpec", "AttentionTensors"], path: "Generator/KernelLowering"),
        .target(name: "OpenCLEmitter", dependencies: ["KernelIR", "KernelLowering", "AttentionPlan", "AttentionSpec", "AttentionTensors"], path: "Generator/OpenCLEmitter"),
        .target(name: "GLSLEmitter", dependencies: ["KernelIR", "KernelLowering", "OpenCLEmitter", "AttentionPlan", "AttentionSpec", "AttentionTensors"], path: "Generator/GLSLEmitter"),
        .target(
            name: "KernelCatalog",
            dependencies: ["OpenCLEmitter", "GLSLEmitter", "SPIRVCompiler", "KernelIR", "KernelLowering", "AttentionPlan", "AttentionSpec"],
            path: "Generator/KernelCatalog"),
        .target(name: "CAttentionKernels"),
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL"),
        .target(name: "RuntimeSupport"),
        .target(name: "OpenCLRuntime", dependencies: ["COpenCL", "RuntimeSupport"]),
        .systemLibrary(name: "CVulkan", path: "Sources/CVulkan"),
        .systemLibrary(name: "CGlslang", path: "Sources/CGlslang"),
        .target(name: "SPIRVCompiler", dependencies: ["CGlslang"]),
        .target(name: "VulkanRuntime", dependencies: ["CVulkan", "RuntimeSupport"]),
        .target(
            name: "CPUInterpreter",
            dependencies: ["KernelIR", "AttentionPlan", "AttentionSpec", "AttentionTensors", "CAttentionKernels", "RuntimeSupport"]),
        .target(
            name: "AttentionRuntime",
            dependencies: [
                "AttentionSpec", "AttentionTensors", "AttentionPlan", "KernelIR", "KernelLowering", "CPUInterpreter", "OpenCLRuntime", "OpenCLEmitter",
                "GLSLEmitter", "SPIRVCompiler", "VulkanRuntime", "RuntimeSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "AttentionGen", dependencies: [
                "AttentionSpec", "AttentionTensors", "AttentionPlan", "AttentionSimulator", "KernelIR", "KernelLowering", "CPUInterpreter",
                "AttentionRuntime", "OpenCLEmitter", "OpenCLRuntime", "GLSLEmitter", "SPIRVCompiler", "VulkanRuntime",
            ]),
        .executableTarget(
            name: "attngen",
            dependencies: [
                "AttentionGen", "GLSLEmitter", "KernelCatalog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The fuzz targets: a corpus replayer in normal builds, libFuzzer's target under scripts/fuzz.sh.
        .executableTarget(name: "attngen-fuzz", dependencies: ["AttentionSpec", "AttentionTensors", "AttentionPlan", "AttentionRuntime"]),
        .plugin(name: "AttentionKernelsPlugin", capability: .buildTool(), dependencies: ["attngen"]),
        .target(
            name: "AttentionTestSupport", dependencies: ["AttentionRuntime", "AttentionPlan", "AttentionSpec", "AttentionTensors", "KernelIR", "KernelLowering"],
            path: "Tests/AttentionTestSupport"),
        .testTarget(name: "AttentionTensorsTests", dependencies: ["AttentionTensors", "CAttentionKernels"]),
        .testTarget(name: "AttentionSpecTests", dependencies: ["AttentionSpec"]),
        .testTarget(name: "AttentionPlanTests", dependencies: ["AttentionPlan", "AttentionSpec"]),
        .testTarget(name: "AttentionSimulatorTests", dependencies: ["AttentionSimulator", "AttentionPlan", "AttentionSpec"]),
        .testTarget(
            name: "CPUInterpreterTests",
            dependencies: ["AttentionTestSupport", "AttentionRuntime", "CPUInterpreter", "KernelIR", "AttentionPlan", "AttentionSpec", "AttentionTensors", "CAttentionKernels"]),
        .testTarget(name: "OpenCLRuntimeTests", dependencies: ["OpenCLRuntime"]),
        .testTarget(name: "SPIRVCompilerTests", dependencies: ["SPIRVCompiler"]),
        .testTarget(name: "VulkanRuntimeTests", dependencies: ["VulkanRuntime", "SPIRVCompiler"]),
        .testTarget(
            name: "VulkanBackendTests",
            dependencies: ["AttentionTestSupport", 
                "AttentionRuntime", "AttentionSpec", "AttentionTensors", "AttentionPlan", "KernelIR", "KernelLowering", "GLSLEmitter", "VulkanRuntime",
                "KernelCatalog",
            ]),
        .testTarget(
            name: "OpenCLEmitterTests",
            dependencies: ["AttentionTestSupport",
                "OpenCLEmitter", "GLSLEmitter", "OpenCLRuntime", "AttentionRuntime", "CPUInterpreter", "KernelIR", "KernelLowering", "AttentionPlan",
                "AttentionSpec", "AttentionTensors", "KernelCatalog", "attngen",
            ]),
        .testTarget(
            name: "GLSLEmitterTests",
            dependencies: ["AttentionTestSupport", "GLSLEmitter", "KernelLowering", "OpenCLEmitter", "OpenCLRuntime", "KernelIR", "AttentionPlan", "AttentionSpec", "AttentionTensors", "attngen"]),
        .testTarget(
            name: "AttentionRuntimeTests",
            dependencies: ["AttentionTestSupport", "AttentionRuntime", "AttentionSpec", "AttentionTensors", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "AttngenCLITests", dependencies: ["attngen", "AttentionTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
