/// A dense tensor of `Float`s in C (row-major) order.
///
/// Attention tensors are laid out `[batch, tokens..., heads, headDim]`; this type
/// does not enforce that, it only ties `elements` to `shape`.
public struct Tensor: Sendable, Equatable {
    /// Dimensions, outermost first. `[]` is a 0-d (scalar) tensor with one element.
    public private(set) var shape: [Int]
    /// Values in C order, widened to `Float` whatever the storage dtype.
    /// Mutate values freely, but keep `elements.count == count` — the shape cannot
    /// follow a resized array.
    public var elements: [Float]

    /// Throws `TensorError.invalidShape` for a negative dimension or an element
    /// count that overflows `Int`, `.elementCountMismatch` if `elements` has the wrong size.
    public init(shape: [Int], elements: [Float]) throws(TensorError) {
        let expected = try Tensor.elementCount(of: shape, name: "Tensor")
        guard elements.count == expected else {
            throw .elementCountMismatch(shape: shape, expected: expected, found: elements.count)
        }
        self.shape = shape
        self.elements = elements
    }

    /// A tensor of zeros. Traps on a negative dimension (a programming error, not bad input).
    public init(zeros shape: [Int]) {
        let expected: Int
        do { expected = try Tensor.elementCount(of: shape, name: "Tensor") } catch {
            preconditionFailure(error.description)
        }
        self.shape = shape
        self.elements = [Float](repeating: 0, count: expected)
    }

    /// Number of elements: the product of `shape` (1 for a 0-d tensor).
    public var count: Int { elements.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Element at a multi-index, e.g. `t[[b, i, h, d]]`. Meant for tests and small
    /// tools, not hot loops. Traps if the index has the wrong rank or any
    /// component is out of range (never silently aliases another element).
    public subscript(index: [Int]) -> Float {
        get { elements[flatIndex(index)] }
        set { elements[flatIndex(index)] = newValue }
    }

    /// C-order offset of a multi-index.
    public func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count,
                     "index \(index) has \(index.count) components, tensor of shape \(shape) needs \(shape.count)")
        var offset = 0
        for (i, dim) in zip(index, shape) {
            precondition(i >= 0 && i < dim, "index \(index) out of range for shape \(shape)")
            offset = offset * dim + i
        }
        return offset
    }

    /// Product of `shape`, checked: negative dimensions and `Int` overflow are
    /// typed errors because shapes come from untrusted files.
    static func elementCount(of shape: [Int], name: String) throws(TensorError) -> Int {
        var product = 1
        for dim in shape {
            guard dim >= 0 else {
                throw .invalidShape(name: name, shape: "\(shape)", reason: "dimension \(dim) is negative")
            }
            let (next, overflow) = product.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                throw .invalidShape(name: name, shape: "\(shape)", reason: "element count overflows Int")
            }
            product = next
        }
        return product
    }
}

extension Tensor {
    /// For decoders that have already checked `elements.count` against `shape`.
    init(validatedShape shape: [Int], elements: [Float]) {
        self.shape = shape
        self.elements = elements
    }
}
