import CGlslang
import Foundation

/// GLSL → SPIR-V in-process, with glslang's C interface.
///
/// glslang's process state is initialised once per process, on first use, and never finalised
/// (measured: an initialise/finalise around every compile costs ~70 ms, because the built-in
/// symbol tables are rebuilt; here the first compile of the process takes ~80–100 ms and every
/// later one ~1–2 ms). Compiles are serialised behind one lock: glslang's
/// process-wide symbol tables are shared, and the cost of serialising is small next to the
/// driver's pipeline compile that follows.
public enum SPIRVCompiler {
    /// Counters and timings, for benchmarks and tests.
    public struct Statistics: Sendable, Hashable {
        /// Seconds spent in `glslang_initialize_process` (nil before the first compile; ~0.1 ms).
        public var initializationSeconds: Double?
        /// Wall seconds of the first compile of the process: glslang builds its built-in symbol
        /// tables then (measured ~80–100 ms); later compiles take ~1–2 ms.
        public var firstCompileSeconds: Double?
        /// Successful compiles.
        public var compiles = 0
        /// Failed compiles (parse, link or code generation).
        public var failures = 0
        /// Wall seconds of the most recent compile (excluding initialisation).
        public var lastCompileSeconds: Double?
        /// Wall seconds of all compiles together.
        public var totalCompileSeconds: Double = 0
    }

    private struct State {
        var initialised = false
        var statistics = Statistics()
    }

    private static let state = Locked(State())

    public static var statistics: Statistics { state.withLock { $0.statistics } }

    /// Compiles one GLSL source (with its own `#version`; 450 is assumed when it has none)
    /// into SPIR-V words. `name` only labels errors.
    public static func compile(glsl source: String, stage: ShaderStage = .compute, name: String = "shader",
                               target: SPIRVTarget = .vulkan1_1) throws(SPIRVCompileError) -> [UInt32] {
        guard !source.utf8.contains(0) else {
            throw .invalidSource(name: name, reason: "it contains a NUL byte")
        }
        return try state.withLock { (state: inout State) throws(SPIRVCompileError) -> [UInt32] in
            if !state.initialised {
                let start = DispatchTime.now().uptimeNanoseconds
                guard glslang_initialize_process() != 0 else { throw .initializationFailed }
                state.initialised = true
                state.statistics.initializationSeconds = seconds(since: start)
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let result = source.withCString { code in
                Result { () throws(SPIRVCompileError) -> [UInt32] in
                    try compileLocked(code: code, source: source, stage: stage, name: name, target: target)
                }
            }
            let elapsed = seconds(since: start)
            if state.statistics.firstCompileSeconds == nil { state.statistics.firstCompileSeconds = elapsed }
            state.statistics.lastCompileSeconds = elapsed
            state.statistics.totalCompileSeconds += elapsed
            switch result {
            case .success: state.statistics.compiles += 1
            case .failure: state.statistics.failures += 1
            }
            return try result.get()
        }
    }

    /// Runs with the lock held and glslang initialised.
    private static func compileLocked(code: UnsafePointer<CChar>, source: String, stage: ShaderStage, name: String,
                                      target: SPIRVTarget) throws(SPIRVCompileError) -> [UInt32] {
        let messages = glslang_messages_t(GLSLANG_MSG_SPV_RULES_BIT.rawValue | GLSLANG_MSG_VULKAN_RULES_BIT.rawValue)
        var input = glslang_input_t()
        input.language = GLSLANG_SOURCE_GLSL
        input.stage = stage.glslang
        input.client = GLSLANG_CLIENT_VULKAN
        input.client_version = target.client
        input.target_language = GLSLANG_TARGET_SPV
        input.target_language_version = target.spirv
        input.code = code
        input.default_version = 450
        input.default_profile = GLSLANG_NO_PROFILE
        input.force_default_version_and_profile = 0
        input.forward_compatible = 0
        input.messages = messages
        input.resource = glslang_default_resource()

        guard let shader = glslang_shader_create(&input) else {
            throw .compileFailed(name: name, stage: stage, phase: .parse, log: "glslang_shader_create returned NULL",
                                 diagnostics: [])
        }
        defer { glslang_shader_delete(shader) }
        // glslang 12's C `parse` parses the *preprocessed* text that `preprocess` leaves in the
        // shader (it parses an empty string otherwise), so both steps are needed, in order.
        // The preprocessor keeps line numbers, so log lines still point into `source`.
        guard glslang_shader_preprocess(shader, &input) != 0 else {
            throw failure(name: name, stage: stage, phase: .preprocess, log: text(glslang_shader_get_info_log(shader)), source: source)
        }
        guard glslang_shader_parse(shader, &input) != 0 else {
            throw failure(name: name, stage: stage, phase: .parse, log: text(glslang_shader_get_info_log(shader)), source: source)
        }

        guard let program = glslang_program_create() else {
            throw .compileFailed(name: name, stage: stage, phase: .link, log: "glslang_program_create returned NULL",
                                 diagnostics: [])
        }
        defer { glslang_program_delete(program) }
        glslang_program_add_shader(program, shader)
        guard glslang_program_link(program, Int32(bitPattern: messages.rawValue)) != 0 else {
            throw failure(name: name, stage: stage, phase: .link, log: text(glslang_program_get_info_log(program)), source: source)
        }

        // glslang's own optimiser is off: the driver optimises, and it keeps compiles at ~2 ms.
        var options = glslang_spv_options_t()
        options.generate_debug_info = false
        options.strip_debug_info = false
        options.disable_optimizer = true
        options.optimize_size = false
        options.disassemble = false
        options.validate = false
        glslang_program_SPIRV_generate_with_options(program, stage.glslang, &options)
        let count = glslang_program_SPIRV_get_size(program)
        guard count > 0, let words = glslang_program_SPIRV_get_ptr(program) else {
            throw .emptyOutput(name: name, messages: text(glslang_program_SPIRV_get_messages(program)))
        }
        return Array(UnsafeBufferPointer(start: words, count: count))
    }

    private static func failure(name: String, stage: ShaderStage, phase: SPIRVCompileError.Phase, log: String,
                                source: String) -> SPIRVCompileError {
        .compileFailed(name: name, stage: stage, phase: phase, log: log,
                       diagnostics: SPIRVDiagnostic.parse(log: log, source: source))
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
