/// The little a runtime needs to know about a compute module before creating a pipeline:
/// its GLCompute entry points, the local size (with specialization applied, including
/// `local_size_x_id` and the WorkgroupSize built-in) and the bytes of `shared` variables.
/// Unknown or unevaluable constructs (OpSpecConstantOp sizes) give nil, never an error.
struct SPIRVReflection {
    let entryPoints: [String: UInt32]  // name → function id (GLCompute only)
    private var localSize: [UInt32: [Operand]] = [:]  // entry id → LocalSize / LocalSizeId
    private var workgroupSizeBuiltIn: UInt32?  // id of a composite decorated BuiltIn WorkgroupSize
    private var specIDs: [UInt32: UInt32] = [:]  // result id → SpecId
    private var scalars: [UInt32: UInt32] = [:]  // constant / spec constant id → default (low word)
    private var composites: [UInt32: [UInt32]] = [:]
    private var types: [UInt32: TypeInfo] = [:]
    private var pointers: [UInt32: UInt32] = [:]  // pointer type → pointee (Workgroup storage class only)
    private var workgroupVariables: [UInt32] = []  // pointer type ids of Workgroup variables

    enum Operand { case literal(UInt32), id(UInt32) }
    enum TypeInfo { case scalar(bytes: Int), vector(UInt32, Int), array(UInt32, lengthID: UInt32), structure([UInt32]), other }

    init(words: [UInt32]) throws(VulkanError) {
        guard words.count >= 5 else { throw .invalidSPIRV(reason: "\(words.count) words is shorter than the 5-word header") }
        guard words[0] == 0x0723_0203 else {
            throw .invalidSPIRV(reason: "magic number 0x\(String(words[0], radix: 16)) is not 0x7230203 (wrong endianness or not SPIR-V)")
        }
        var entries: [String: UInt32] = [:]
        var offset = 5
        while offset < words.count {
            let count = Int(words[offset] >> 16)
            let opcode = words[offset] & 0xffff
            guard count > 0, offset + count <= words.count else {
                throw .invalidSPIRV(reason: "instruction at word \(offset) (opcode \(opcode)) has a bad word count \(count)")
            }
            let operands = Array(words[(offset + 1)..<(offset + count)])
            switch opcode {
            case 15 where operands.count >= 3 && operands[0] == 5:  // OpEntryPoint GLCompute
                entries[Self.string(operands.dropFirst(2))] = operands[1]
            case 16 where operands.count >= 5 && operands[1] == 17:  // OpExecutionMode LocalSize
                localSize[operands[0]] = operands[2...4].map { .literal($0) }
            case 331 where operands.count >= 5 && operands[1] == 38:  // OpExecutionModeId LocalSizeId
                localSize[operands[0]] = operands[2...4].map { .id($0) }
            case 71 where operands.count >= 3 && operands[1] == 1:  // OpDecorate SpecId
                specIDs[operands[0]] = operands[2]
            case 71 where operands.count >= 3 && operands[1] == 11 && operands[2] == 25:  // BuiltIn WorkgroupSize
                workgroupSizeBuiltIn = operands[0]
            case 20: if let id = operands.first { types[id] = .scalar(bytes: 4) }  // OpTypeBool (as 32-bit)
            case 21, 22: if operands.count >= 2 { types[operands[0]] = .scalar(bytes: Int(operands[1]) / 8) }
            case 23, 24: if operands.count >= 3 { types[operands[0]] = .vector(operands[1], Int(operands[2])) }
            case 28 where operands.count >= 3: types[operands[0]] = .array(operands[1], lengthID: operands[2])
            case 30: if let id = operands.first { types[id] = .structure(Array(operands.dropFirst())) }
            case 32 where operands.count >= 3 && operands[1] == 4: pointers[operands[0]] = operands[2]  // Workgroup
            case 59 where operands.count >= 3 && operands[2] == 4: workgroupVariables.append(operands[0])
            case 43, 50: if operands.count >= 3 { scalars[operands[1]] = operands[2] }  // OpConstant / OpSpecConstant
            case 44, 51: if operands.count >= 2 { composites[operands[1]] = Array(operands.dropFirst(2)) }
            default: break
            }
            offset += count
        }
        entryPoints = entries
    }

    /// The local size of `entry` with `specialization` (SpecId → 32-bit value) applied.
    func localSize(of entry: UInt32, specialization: [UInt32: UInt32]) -> [Int]? {
        if let builtIn = workgroupSizeBuiltIn, let parts = composites[builtIn], parts.count == 3 {
            let values = parts.compactMap { value(of: $0, specialization: specialization) }
            if values.count == 3 { return values.map(Int.init) }
        }
        guard let operands = localSize[entry] else { return nil }
        let values = operands.compactMap { operand -> UInt32? in
            switch operand {
            case .literal(let value): value
            case .id(let id): value(of: id, specialization: specialization)
            }
        }
        return values.count == 3 ? values.map(Int.init) : nil
    }

    /// Bytes of all Workgroup-storage variables (tightly packed; a lower bound of what the
    /// driver allocates), or nil when a size depends on something this reader cannot evaluate.
    func sharedMemoryBytes(specialization: [UInt32: UInt32]) -> Int? {
        var total = 0
        for pointer in workgroupVariables {
            guard let pointee = pointers[pointer], let size = size(of: pointee, specialization: specialization, depth: 0) else {
                return nil
            }
            total += size
        }
        return total
    }

    private func value(of id: UInt32, specialization: [UInt32: UInt32]) -> UInt32? {
        if let spec = specIDs[id], let value = specialization[spec] { return value }
        return scalars[id]
    }

    private func size(of type: UInt32, specialization: [UInt32: UInt32], depth: Int) -> Int? {
        guard depth < 32, let info = types[type] else { return nil }
        switch info {
        case .scalar(let bytes): return bytes
        case .vector(let component, let count):
            return size(of: component, specialization: specialization, depth: depth + 1).map { $0 * count }
        case .array(let element, let lengthID):
            guard let length = value(of: lengthID, specialization: specialization),
                  let elementSize = size(of: element, specialization: specialization, depth: depth + 1) else { return nil }
            return elementSize * Int(length)
        case .structure(let members):
            var total = 0
            for member in members {
                guard let memberSize = size(of: member, specialization: specialization, depth: depth + 1) else { return nil }
                total += memberSize
            }
            return total
        case .other: return nil
        }
    }

    private static func string(_ words: ArraySlice<UInt32>) -> String {
        var bytes: [UInt8] = []
        for word in words {
            for shift in stride(from: 0, to: 32, by: 8) {
                let byte = UInt8(truncatingIfNeeded: word >> UInt32(shift))
                if byte == 0 { return String(decoding: bytes, as: UTF8.self) }
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
