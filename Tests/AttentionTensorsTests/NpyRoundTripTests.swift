import Foundation
import Testing
@testable import AttentionTensors

@Suite struct NpyRoundTripTests {
    static let shapes: [[Int]] = [[], [5], [2, 3], [2, 4, 3, 8], [1, 2, 3, 2, 4], [2, 0, 3], [0]]

    @Test(arguments: shapes) func float32RoundTrip(shape: [Int]) throws {
        let tensor = ramp(shape)
        let data = try Npy.encode(tensor)
        let (read, dtype) = try Npy.read(data, name: "t.npy")
        #expect(dtype == .float32)
        #expect(read == tensor)
    }

    @Test(arguments: shapes) func float16RoundTrip(shape: [Int]) throws {
        // ramp values (multiples of 0.25 up to a few hundred) are exact in float16.
        let tensor = ramp(shape)
        let data = try Npy.encode(tensor, as: .float16)
        let (read, dtype) = try Npy.read(data, name: "t.npy")
        #expect(dtype == .float16)
        #expect(read == tensor)
    }

    @Test func dataStartsOn64ByteBoundaryAndHeaderEndsWithNewline() throws {
        for shape in Self.shapes {
            let data = try Npy.encode(ramp(shape))
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
            #expect(data[10 + headerLength - 1] == 0x0A)
            #expect(data.count == 10 + headerLength + ramp(shape).count * 4)
        }
    }

    @Test func hugeHeaderUsesVersion2() throws {
        // 30000 dims of size 1 need a header longer than 65535 bytes.
        let shape = [Int](repeating: 1, count: 30000)
        let tensor = try Tensor(shape: shape, elements: [2.5])
        let data = try Npy.encode(tensor)
        #expect(data[6] == 2 && data[7] == 0)
        let headerLength = Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        #expect(headerLength > 65535)
        #expect((12 + headerLength) % 64 == 0)
        let (read, _) = try Npy.read(data, name: "big.npy")
        #expect(read == tensor)
    }

    @Test func float16RoundsToNearestEvenAndOverflowsToInfinity() throws {
        let inputs: [Float] = [1 + 0x1p-11, 1 + 3 * 0x1p-11, 70000, -70000, 65519, 65520, 1e-8, 3e-8, -0.0, 1.0 / 3]
        let data = try Npy.encode(Tensor(shape: [inputs.count], elements: inputs), as: .float16)
        // numpy's astype('<f2') of the same inputs, saved by np.save: byte-identical.
        #expect(data == fixture(NumpyFixtures.float16Rounding))
        let (read, _) = try Npy.read(data, name: "r.npy")
        #expect(read.elements == [1, 1 + 0x1p-9, .infinity, -.infinity, 65504, .infinity, 0, 0x1p-24, -0.0, 0.333251953125])
        #expect(read.elements[8].sign == .minus)
    }

    @Test func nanSurvivesFloat16AndFloat32() throws {
        for dtype in [ElementType.float32, .float16] {
            let data = try Npy.encode(Tensor(shape: [2], elements: [.nan, 1]), as: dtype)
            let (read, _) = try Npy.read(data, name: "n.npy")
            #expect(read.elements[0].isNaN && read.elements[1] == 1)
        }
    }

    @Test func encodeIsByteIdenticalToNumpy() throws {
        let cases: [(Tensor, ElementType, String)] = [
            (try Tensor(shape: [2, 3], elements: [-1, -0.5, 0, 0.5, 1, 1.5]), .float32, NumpyFixtures.float32x2x3),
            (try Tensor(shape: [], elements: [3.5]), .float32, NumpyFixtures.scalar),
            (try Tensor(shape: [5], elements: [0, 1, 2, 3, 4]), .float32, NumpyFixtures.vector5),
            (Tensor(zeros: [2, 0, 3]), .float32, NumpyFixtures.empty2x0x3),
        ]
        for (tensor, dtype, expected) in cases {
            #expect(try Npy.encode(tensor, as: dtype) == fixture(expected), "shape \(tensor.shape)")
        }
    }

    /// bfloat16 as ml_dtypes saves it: `np.save(f, np.array([1, -2.5, 3.14159], ml_dtypes.bfloat16))`.
    @Test func bfloat16ReadsWhatMLDtypesWritesAndRoundTrips() throws {
        var file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        var header = "{'descr': '<V2', 'fortran_order': False, 'shape': (3,), }"
        header += String(repeating: " ", count: 117 - header.count) + "\n"  // 10 + 118 bytes: a multiple of 64
        file += [UInt8(header.utf8.count), 0] + Array(header.utf8) + [0x80, 0x3F, 0x20, 0xC0, 0x49, 0x40]
        let (tensor, dtype) = try Npy.read(Data(file), name: "ml_dtypes.npy")
        #expect(dtype == .bfloat16)
        #expect(tensor.elements == [1, -2.5, 3.140625])
        // Written back: the same bytes after the header, descr '<V2'.
        let written = try Npy.encode(tensor, as: .bfloat16)
        #expect(Array(written.suffix(6)) == [0x80, 0x3F, 0x20, 0xC0, 0x49, 0x40])
        #expect(String(decoding: written, as: UTF8.self).contains("'descr': '<V2'"))
        // Rounded to nearest even on the way out; NaN stays NaN, overflow becomes inf.
        let rounding = try Npy.read(Npy.encode(Tensor(shape: [4], elements: [1.00390625, 1.01171875, .nan, 3.4e38]), as: .bfloat16), name: "r")
        #expect(rounding.tensor.elements[0] == 1 && rounding.tensor.elements[1] == 1.015625)
        #expect(rounding.tensor.elements[2].isNaN && rounding.tensor.elements[3] == .infinity)
    }

    @Test func encodeRejectsElementsResizedAfterInit() {
        var tensor = Tensor(zeros: [2, 2])
        tensor.elements.append(1)
        #expect(tensorError { try Npy.encode(tensor) } == .elementCountMismatch(shape: [2, 2], expected: 4, found: 5))
    }
}
