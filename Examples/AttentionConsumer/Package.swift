// swift-tools-version: 6.0
import PackageDescription

// A package that embeds AttentionGen: its spec files (*.attention.json) become kernel packages at
// build time through the AttentionKernels plugin, and the program runs one attention on `auto`.
let package = Package(
    name: "AttentionConsumer",
    dependencies: [
        .package(name: "AttentionGen", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "AttentionConsumer",
            dependencies: [.product(name: "AttentionGen", package: "AttentionGen")],
            plugins: [.plugin(name: "AttentionKernels", package: "AttentionGen")]),
    ],
    swiftLanguageModes: [.v6]
)
