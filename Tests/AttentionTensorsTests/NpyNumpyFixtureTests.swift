import Foundation
import Testing
@testable import AttentionTensors

/// Files written by numpy itself (see NumpyFixtures.swift).
@Suite struct NpyNumpyFixtureTests {
    @Test func float32Matrix() throws {
        let (tensor, dtype) = try Npy.read(fixture(NumpyFixtures.float32x2x3), name: "a.npy")
        #expect(dtype == .float32)
        #expect(tensor.shape == [2, 3])
        #expect(tensor.elements == [-1, -0.5, 0, 0.5, 1, 1.5])
        #expect(tensor[[1, 2]] == 1.5)
    }

    @Test func float16FourD() throws {
        let (tensor, dtype) = try Npy.read(fixture(NumpyFixtures.float16x2x1x3x2), name: "h.npy")
        #expect(dtype == .float16)
        #expect(tensor.shape == [2, 1, 3, 2])
        // np.linspace(-3, 3, 12).astype('<f2').tolist()
        #expect(tensor.elements == [-3.0, -2.455078125, -1.9091796875, -1.36328125, -0.818359375, -0.272705078125,
                                    0.272705078125, 0.818359375, 1.36328125, 1.9091796875, 2.455078125, 3.0])
    }

    @Test func scalarVectorAndEmpty() throws {
        #expect(try Npy.read(fixture(NumpyFixtures.scalar), name: "s").tensor == Tensor(shape: [], elements: [3.5]))
        #expect(try Npy.read(fixture(NumpyFixtures.vector5), name: "v").tensor == Tensor(shape: [5], elements: [0, 1, 2, 3, 4]))
        #expect(try Npy.read(fixture(NumpyFixtures.empty2x0x3), name: "e").tensor == Tensor(zeros: [2, 0, 3]))
    }

    @Test func version2Header() throws {
        let data = fixture(NumpyFixtures.version2)
        #expect(data[6] == 2)
        let (tensor, dtype) = try Npy.read(data, name: "v2.npy")
        #expect(dtype == .float32)
        #expect(tensor == (try Tensor(shape: [3, 2], elements: [0, 1, 2, 3, 4, 5])))
    }

    @Test func version3Header() throws {
        let data = fixture(NumpyFixtures.version3)
        #expect(data[6] == 3)
        let (tensor, dtype) = try Npy.read(data, name: "v3.npy")
        #expect(dtype == .float16)
        #expect(tensor == (try Tensor(shape: [4], elements: [0, 1, 2, 3])))
    }

    @Test func readsFromAnUnalignedDataSlice() throws {
        // Data slices keep their parent's indices; the decoder must not assume startIndex == 0.
        let padded = Data([0xAA]) + fixture(NumpyFixtures.float32x2x3)
        let (tensor, _) = try Npy.read(padded[1...], name: "slice.npy")
        #expect(tensor.elements == [-1, -0.5, 0, 0.5, 1, 1.5])
    }
}
