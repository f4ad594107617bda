import RuntimeSupport
import SPIRVCompiler

/// SPIR-V by shader text, for the process: glslang runs once per configuration (a shader's
/// `programText` holds only what the configuration decides), however many specs share it.
public enum SPIRVCache {
    private static let state = Locked<(modules: [String: [UInt32]], compilations: [String: Int])>(([:], [:]))

    /// glslang compilations of `text` so far.
    public static func compilations(of text: String) -> Int { state.withLock { $0.compilations[text] ?? 0 } }

    /// The SPIR-V of `text`, compiled on first use.
    public static func spirv(for text: String, name: String) throws(SPIRVCompileError) -> [UInt32] {
        if let cached = state.withLock({ $0.modules[text] }) { return cached }
        let words = try SPIRVCompiler.compile(glsl: text, stage: .compute, name: name)
        state.withLock { state in
            if state.modules.count >= 256 { state.modules.removeAll() }
            state.modules[text] = words
            state.compilations[text, default: 0] += 1
        }
        return words
    }
}
