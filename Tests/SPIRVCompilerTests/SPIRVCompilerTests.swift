import Foundation
import SPIRVCompiler
import Testing

let vectorAddGLSL = """
#version 450
layout(local_size_x = 64) in;
layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Push { uint n; float scale; } pc;
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < pc.n) { c[i] = pc.scale * (a[i] + b[i]); }
}
"""

@Suite struct SPIRVCompilerTests {
    @Test func compilesAComputeShader() throws {
        let words = try SPIRVCompiler.compile(glsl: vectorAddGLSL, stage: .compute, name: "vector_add")
        #expect(words.count > 20)
        #expect(words[0] == 0x0723_0203)  // SPIR-V magic
        #expect(words[1] == 0x0001_0300)  // SPIR-V 1.3 (Vulkan 1.1)
        #expect(SPIRVCompiler.statistics.compiles >= 1)
        #expect(SPIRVCompiler.statistics.initializationSeconds != nil)
    }

    @Test func passesSpirvVal() throws {
        let words = try SPIRVCompiler.compile(glsl: vectorAddGLSL, stage: .compute, name: "vector_add")
        let tool = "/usr/bin/spirv-val"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            Issue.record("spirv-val is not installed at \(tool)")
            return
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spirv-\(UUID().uuidString).spv")
        defer { try? FileManager.default.removeItem(at: path) }
        try words.withUnsafeBytes { try Data($0).write(to: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--target-env", "vulkan1.1", path.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "spirv-val: \(output)")
    }

    @Test func compileErrorIsTypedWithLogAndSourceLine() {
        let source = """
        #version 450
        layout(local_size_x = 64) in;
        layout(std430, binding = 0) buffer A { float a[]; };
        void main() {
            a[gl_GlobalInvocationID.x] = undefinedThing * 2.0;
        }
        """
        do {
            _ = try SPIRVCompiler.compile(glsl: source, stage: .compute, name: "broken")
            Issue.record("expected a compile error")
        } catch {
            guard case let .compileFailed(name, stage, phase, log, diagnostics) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(name == "broken")
            #expect(stage == .compute)
            #expect(phase == .parse)
            #expect(log.contains("undefinedThing"))
            #expect(log.contains("ERROR: 0:5:"))
            let first = diagnostics.first { $0.severity == .error }
            #expect(first?.line == 5)
            #expect(first?.sourceLine?.contains("undefinedThing * 2.0") == true)
            #expect(error.offendingLines.map(\.line) == [5])
            #expect(error.description.contains("5 | "))
            #expect(error.description.contains("undefinedThing"))
        }
    }

    @Test func nulByteIsRejected() {
        #expect(throws: SPIRVCompileError.self) {
            try SPIRVCompiler.compile(glsl: "#version 450\0", stage: .compute, name: "nul")
        }
    }

    @Test func concurrentCompilesAreSafe() async throws {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask { try SPIRVCompiler.compile(glsl: vectorAddGLSL, stage: .compute, name: "vector_add").count }
            }
            var counts = Set<Int>()
            for try await count in group { counts.insert(count) }
            #expect(counts.count == 1)
        }
    }

    @Test func compileAfterInitIsFast() throws {
        _ = try SPIRVCompiler.compile(glsl: vectorAddGLSL, name: "warm")
        let start = Date()
        for _ in 0..<5 { _ = try SPIRVCompiler.compile(glsl: vectorAddGLSL, name: "timed") }
        let perCompile = Date().timeIntervalSince(start) / 5
        // Measured ~2 ms; generous bound for a loaded CI machine (debug build).
        #expect(perCompile < 0.25, "compile took \(perCompile) s")
    }
}
