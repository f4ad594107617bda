import AttentionPlan
import AttentionSpec
import Foundation
import GLSLEmitter
import KernelIR
import OpenCLEmitter
import SPIRVCompiler

/// The committed kernel catalogue: for each `specs/NAME.json`, the OpenCL C and its manifest,
/// the GLSL shaders and their manifest, and the SPIR-V, in one folder per target, plus an index.
/// `attngen catalog` writes it; `drift` compares it with what the generator makes now.
public enum KernelCatalog {
    /// The folders the catalogue owns (everything in them is generated).
    public static let generatedFolders = ["opencl", "glsl", "spirv"]
    public static let indexFile = "INDEX.md"

    public enum Failure: Error, CustomStringConvertible {
        case spec(file: String, SpecError)
        case compile(file: String, SPIRVCompileError)
        case io(path: String, reason: String)

        public var description: String {
            switch self {
            case .spec(let file, let error): "\(file): \(error)"
            case .compile(let file, let error): "\(file): \(error)"
            case .io(let path, let reason): "\(path): \(reason)"
            }
        }
    }

    /// A difference between the committed catalogue and the generator's output.
    public enum Drift: Sendable, Hashable, CustomStringConvertible {
        case missing(String)
        case differs(String)
        case stale(String)

        public var description: String {
            switch self {
            case .missing(let path): "missing: \(path)"
            case .differs(let path): "differs: \(path)"
            case .stale(let path): "stale (no spec makes it): \(path)"
            }
        }
    }

    /// Every file the catalogue should hold for the specs in `specsFolder`, sorted by path.
    public static func artifacts(specsFolder: URL) throws(Failure) -> [KernelArtifact] {
        let specFiles: [URL]
        do {
            specFiles = try FileManager.default.contentsOfDirectory(at: specsFolder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw .io(path: specsFolder.path, reason: "cannot list the spec folder: \(error.localizedDescription)")
        }
        var files: [KernelArtifact] = []
        var index: [(name: String, summary: String, shaders: Int, opencl: String, vulkan: String, cooperative: String)] = []
        for url in specFiles {
            let name = url.deletingPathExtension().lastPathComponent
            let spec: AttentionSpec
            do { spec = try AttentionSpec(contentsOf: url) } catch { throw .spec(file: url.lastPathComponent, error) }
            let kernels = try KernelProfile.kernels(for: spec, name: name, file: url.lastPathComponent)
            let made = artifacts(kernels, name: name)
            files += made
            let forward = made.filter { $0.path.hasSuffix(".spv") && !$0.path.contains(".attention_backward_") && !$0.path.contains(".coopmat-") }
            index.append((name, spec.summary, forward.count, kernels.opencl.configuration.strategy.compact, kernels.glsl.configuration.strategy.compact,
                          kernels.cooperative.first.map { "`\($0.glsl.configuration.strategy.compact)`" } ?? "—"))
        }
        files.append(KernelArtifact(path: indexFile, text: indexText(index)))
        return files.sorted { $0.path < $1.path }
    }

    /// The catalogue files of one spec.
    public static func artifacts(spec: AttentionSpec, name: String, file: String) throws(Failure) -> [KernelArtifact] {
        artifacts(try KernelProfile.kernels(for: spec, name: name, file: file), name: name)
    }

    static func artifacts(_ kernels: KernelProfile.Kernels, name: String) -> [KernelArtifact] {
        let (opencl, glsl) = (kernels.opencl, kernels.glsl)
        var files = [
            KernelArtifact(path: "opencl/\(name).cl", text: opencl.source),
            KernelArtifact(path: "opencl/\(name).manifest.json", text: opencl.manifest(sourceFile: "\(name).cl").prettyText() + "\n"),
        ]
        files += shaderArtifacts(
            glsl.shaders, spirv: kernels.spirv, stems: glsl.shaders.enumerated().map { $0.offset == 0 ? name : "\(name).\($0.element.name)" },
            manifestPath: "glsl/\(name).glsl-manifest.json", manifest: glsl.manifest)
        return files + backwardArtifacts(kernels, name: name) + cooperativeArtifacts(kernels, name: name)
    }

    /// `glsl/NAME.coopmat-FORM….comp` and its manifest for each cooperative-matrix form, with
    /// `spirv/….spv` where the form compiles in process (NV).
    static func cooperativeArtifacts(_ kernels: KernelProfile.Kernels, name: String) -> [KernelArtifact] {
        kernels.cooperative.flatMap { variant -> [KernelArtifact] in
            let stem = "\(name).coopmat-\(variant.form.rawValue)"
            let stems = variant.glsl.shaders.enumerated().map { $0.offset == 0 ? stem : "\(stem).\($0.element.name)" }
            return shaderArtifacts(
                variant.glsl.shaders, spirv: variant.spirv, stems: stems, manifestPath: "glsl/\(stem).glsl-manifest.json",
                manifest: variant.glsl.manifest)
        }
    }

    /// The backward pass's files: `NAME.backward.cl` with its manifest, and one
    /// `NAME.attention_backward_*.comp` / `.spv` per shader with their manifest (none for a paged spec).
    static func backwardArtifacts(_ kernels: KernelProfile.Kernels, name: String) -> [KernelArtifact] {
        guard let backward = kernels.backward else { return [] }
        let (opencl, glsl) = (backward.opencl, backward.glsl)
        let files = [
            KernelArtifact(path: "opencl/\(name).backward.cl", text: opencl.source),
            KernelArtifact(
                path: "opencl/\(name).backward.manifest.json", text: opencl.manifest(sourceFile: "\(name).backward.cl").prettyText() + "\n"),
        ]
        return files + shaderArtifacts(
            glsl.shaders, spirv: backward.spirv, stems: glsl.shaders.map { "\(name).\($0.name)" },
            manifestPath: "glsl/\(name).backward.glsl-manifest.json", manifest: glsl.manifest)
    }

    /// `glsl/STEM.comp` and `spirv/STEM.spv` per shader, then the manifest naming them.
    private static func shaderArtifacts(
        _ shaders: [GLSLShader], spirv: [[UInt32]]?, stems: [String], manifestPath: String,
        manifest: ([String: String], [String: String]) -> JSONValue
    ) -> [KernelArtifact] {
        var files: [KernelArtifact] = []
        var sourceFiles: [String: String] = [:]
        var spirvFiles: [String: String] = [:]
        for (index, (shader, stem)) in zip(shaders, stems).enumerated() {
            files.append(KernelArtifact(path: "glsl/\(stem).comp", text: shader.source))
            sourceFiles[shader.name] = "\(stem).comp"
            guard let words = spirv?[index] else { continue }
            files.append(KernelArtifact(path: "spirv/\(stem).spv", words: words))
            spirvFiles[shader.name] = "../spirv/\(stem).spv"
        }
        return files + [KernelArtifact(path: manifestPath, text: manifest(sourceFiles, spirvFiles).prettyText() + "\n")]
    }

    /// What differs between `kernelsFolder` and `expected`.
    public static func drift(kernelsFolder: URL, expected: [KernelArtifact]) -> [Drift] {
        var drifts: [Drift] = []
        let expectedPaths = Set(expected.map(\.path))
        for artifact in expected {
            let url = kernelsFolder.appendingPathComponent(artifact.path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                drifts.append(.missing(artifact.path))
                continue
            }
            if Array(data) != artifact.bytes { drifts.append(.differs(artifact.path)) }
        }
        for path in existingGeneratedFiles(kernelsFolder) where !expectedPaths.contains(path) {
            drifts.append(.stale(path))
        }
        return drifts
    }

    /// Files now in the generated folders, as catalogue-relative paths.
    public static func existingGeneratedFiles(_ kernelsFolder: URL) -> [String] {
        generatedFolders.flatMap { folder -> [String] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: kernelsFolder.appendingPathComponent(folder).path)) ?? []
            return names.map { "\(folder)/\($0)" }
        }.sorted()
    }

    private static func indexText(
        _ entries: [(name: String, summary: String, shaders: Int, opencl: String, vulkan: String, cooperative: String)]
    ) -> String {
        var lines = [
            "# Kernel catalogue",
            "",
            "Generated by `attngen catalog` from `specs/*.json`; do not edit. A test fails when these files",
            "differ from what the generator makes now. Profile: work-groups of at most \(KernelProfile.maxWorkgroupSize) invocations,",
            "Vulkan \(KernelProfile.sharedMemoryBytes / 1024) KiB of shared memory with tile loops kept as loops, OpenCL "
                + "\(KernelProfile.openCLLocalMemoryBytes / 1024) KiB of local memory:",
            "a tiling that needs more is shrunk to fit where one does (the manifest's spec shows the tiling used). The strategy",
            "columns give each program's kernel strategy (`rowThreads x keyThreads, rows x keys per invocation, K dims and V keys",
            "staged at once`), as its manifest records it. Each spec also has its backward pass: `opencl/NAME.backward.cl` and",
            "`glsl/NAME.attention_backward_{rowdot,kv,q}.comp` (with `.spv` and manifests). Float16 specs also have their",
            "cooperative-matrix shaders for a GPU with \(KernelProfile.openCLLocalMemoryBytes / 1024) KiB of shared memory, subgroups of 32 and 16×16×16 float16",
            "fragments: `glsl/NAME.coopmat-nv.comp` (GL_NV_cooperative_matrix, with `spirv/NAME.coopmat-nv.spv`) and",
            "`glsl/NAME.coopmat-khr.comp` (GL_KHR_cooperative_matrix: glslang 13 or later compiles it, `scripts/khr-tools.sh`).",
            "",
            "| spec | problem | OpenCL C | strategy | GLSL / SPIR-V | strategy | cooperative matrices |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for entry in entries {
            let shaders = entry.shaders == 1 ? "1 shader" : "\(entry.shaders) shaders"
            lines.append("| `specs/\(entry.name).json` | \(entry.summary) | `opencl/\(entry.name).cl` | `\(entry.opencl)` "
                + "| `glsl/\(entry.name).comp`, `spirv/\(entry.name).spv` (\(shaders)) | `\(entry.vulkan)` | \(entry.cooperative) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
