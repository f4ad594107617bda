import Foundation
import Testing
@testable import AttentionTensors

/// Header dicts NumPy (or other writers) might produce, all describing a valid array.
@Suite struct NpyHeaderParsingTests {
    static let twoByThree: [String] = [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        "{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False}",           // other key order, no trailing comma
        "  {  'fortran_order' :False ,'shape':(2,3,),'descr':'<f4' ,}   \n",   // odd spacing, trailing commas
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}",  // double quotes
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",       // Python 2 longs
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }",         // list shape
        "{'descr': '=f4', 'fortran_order': False, 'shape': (2, 3), }",         // native order (little here)
        "{'descr': '<f4',\n\t'fortran_order': False,\r\n 'shape': (2, 3), }",  // other whitespace
    ]

    @Test(arguments: twoByThree) func acceptsVariants(header: String) throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let (tensor, dtype) = try Npy.read(npyBytes(header: header, payload: float32Bytes(values)), name: "x.npy")
        #expect(dtype == .float32)
        #expect(tensor.shape == [2, 3])
        #expect(tensor.elements == values)
    }

    @Test func oneTupleZeroDAndNativeFloat16() throws {
        let one = try Npy.read(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", payload: float32Bytes([9])), name: "o")
        #expect(one.tensor.shape == [1])
        let zeroD = try Npy.read(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", payload: float32Bytes([9])), name: "z")
        #expect(zeroD.tensor.shape == [] && zeroD.tensor.elements == [9])
        let half = try Npy.read(npyBytes(header: "{'descr': '=f2', 'fortran_order': False, 'shape': (1,)}", payload: [0x00, 0x3C]), name: "h")
        #expect(half.dtype == .float16 && half.tensor.elements == [1])
    }

    @Test func fortranOrderIsFineWhenLayoutsCoincide() throws {
        // With at most one dimension > 1, Fortran and C order are the same bytes.
        let (tensor, _) = try Npy.read(
            npyBytes(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3, 1)}", payload: float32Bytes([1, 2, 3])), name: "f")
        #expect(tensor.elements == [1, 2, 3])
    }

    @Test func writtenHeaderMatchesNumpyLayout() throws {
        let data = try Npy.encode(Tensor(zeros: [2, 3]))
        let header = String(decoding: data[10..<data.count - 24], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
        #expect(header.hasSuffix(" \n"))
        let oneD = try Npy.encode(Tensor(zeros: [7]), as: .float16)
        #expect(String(decoding: oneD, as: UTF8.self).contains("'shape': (7,), }"))
        let zeroD = try Npy.encode(Tensor(zeros: []))
        #expect(String(decoding: zeroD, as: UTF8.self).contains("'shape': (), }"))
    }
}
