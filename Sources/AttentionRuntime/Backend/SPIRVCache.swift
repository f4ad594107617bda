import RuntimeSupport
import SPIRVCompiler

/// SPIR-V by shader text, for the process: glslang runs once per configuration (a shader's
/// `programText` holds only what the configuration decides), however many specs share it.
public enum SPIRVCache {
    private static let state = Locked<(modules: [String: [UInt32]], compilations: Int)>(([:], 0))

    /// glslang compilations so far.
    public static var compilations: Int { state.withLock { $0.compilations } }

    /// The SPIR-V of `text`, compiled on first use.
    public static func spirv(for text: String, name: String) throws(SPIRVCompileError) -> [UInt32] {
        if let cached = state.withLock({ $0.modules[text] }) { return cached }
        let words = try SPIRVCompiler.compile(glsl: text, stage: .compute, name: name)
        state.withLock { state in
            if state.modules.count >= 256 { state.modules.removeAll() }
            state.modules[text] = words
            state.compilations += 1
        }
        return words
    }
}
