import Foundation
import Testing
@testable import AttentionTensors

/// Every bad-file case is a typed error with a description naming the file,
/// the expectation and what was found. None may trap.
@Suite struct NpyErrorTests {
    static let goodHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"

    func readError(_ data: Data, name: String = "q.npy") -> TensorError? {
        tensorError { try Npy.read(data, name: name) }
    }

    @Test func badMagic() {
        var data = fixture(NumpyFixtures.float32x2x3)
        data[data.startIndex + 1] = UInt8(ascii: "X")
        let error = readError(data)
        guard case .badMagic(let name, let found)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(name == "q.npy" && found.count == 6)
        #expect(error!.description.contains("q.npy: not a .npy file"))
        #expect(readError(Data()) == .badMagic(name: "q.npy", found: []))
        #expect(readError(Data("PK\u{3}\u{4}zipfile".utf8)) != nil)
    }

    @Test func truncatedPreambleAndHeader() {
        let full = fixture(NumpyFixtures.float32x2x3)
        for length in [3, 7, 9, 50, 127] {
            let error = readError(full.prefix(length))
            guard case .truncatedHeader(let name, _, let found)? = error else {
                Issue.record("length \(length): got \(String(describing: error))"); continue
            }
            #expect(name == "q.npy" && found == length)
        }
    }

    @Test func unsupportedVersion() {
        let error = readError(npyBytes(header: Self.goodHeader, major: 4, minor: 0, payload: float32Bytes([1, 2, 3, 4, 5, 6])))
        #expect(error == .unsupportedVersion(name: "q.npy", major: 4, minor: 0))
        #expect(error?.description == "q.npy: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)")
        #expect(readError(npyBytes(header: Self.goodHeader, major: 1, minor: 1)) == .unsupportedVersion(name: "q.npy", major: 1, minor: 1))
    }

    @Test func unsupportedDtypes() {
        let float64 = readError(fixture(NumpyFixtures.float64), name: "k.npy")
        #expect(float64 == .unsupportedDtype(name: "k.npy", descr: "<f8"))
        #expect(float64?.description
            == "k.npy: unsupported dtype '<f8' (supported: '<f4' float32, '<f2' float16, '<V2' or '|V2' bfloat16 as ml_dtypes saves it)")
        // Void types other than 2 bytes are not bfloat16.
        #expect(readError(npyBytes(header: "{'descr': '|V4', 'fortran_order': False, 'shape': (1,)}", payload: [0, 0, 0, 0]))
                == .unsupportedDtype(name: "q.npy", descr: "|V4"))
        #expect(readError(fixture(NumpyFixtures.int32)) == .unsupportedDtype(name: "q.npy", descr: "<i4"))
        #expect(readError(npyBytes(header: "{'descr': '|f4', 'fortran_order': False, 'shape': (1,)}", payload: [0, 0, 0, 0]))
                == .unsupportedDtype(name: "q.npy", descr: "|f4"))
        // A structured dtype's descr is a list.
        let structured = readError(npyBytes(header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}"))
        #expect(structured == .unsupportedDtype(name: "q.npy", descr: "[('a', '<f4')]"))
    }

    @Test func bigEndian() {
        let error = readError(fixture(NumpyFixtures.bigEndian), name: "v.npy")
        #expect(error == .bigEndian(name: "v.npy", descr: ">f4"))
        #expect(error?.description.hasPrefix("v.npy: big-endian dtype '>f4' is not supported") == true)
        #expect(readError(npyBytes(header: "{'descr': '>f2', 'fortran_order': False, 'shape': (1,)}", payload: [0, 0]))
                == .bigEndian(name: "q.npy", descr: ">f2"))
    }

    @Test func fortranOrder() {
        let error = readError(fixture(NumpyFixtures.fortran2x3))
        #expect(error == .fortranOrder(name: "q.npy", shape: [2, 3]))
        #expect(error?.description.contains("Fortran order") == true)
    }

    @Test func truncatedData() {
        let full = fixture(NumpyFixtures.float32x2x3)
        let error = readError(full.prefix(full.count - 12))
        #expect(error == .truncatedData(name: "q.npy", shape: [2, 3], dtype: .float32, expectedBytes: 24, foundBytes: 12))
        #expect(error?.description == "q.npy: truncated: header says shape [2, 3] float32 = 24 bytes of data, file has 12")
    }

    @Test func trailingData() {
        let error = readError(fixture(NumpyFixtures.float32x2x3) + Data([1, 2]))
        #expect(error == .trailingData(name: "q.npy", shape: [2, 3], dtype: .float32, expectedBytes: 24, foundBytes: 26))
        #expect(error?.description.contains("26") == true)
    }

    static let malformedHeaders: [String] = [
        "",
        "{",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} junk",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': 6}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ('2', 3)}",
        "{'descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-, 3)}",
        String(repeating: "(", count: 10000),
        "{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 10000) + "}",
    ]

    @Test(arguments: malformedHeaders) func malformedHeader(header: String) {
        let error = readError(npyBytes(header: header, payload: float32Bytes([1, 2, 3, 4, 5, 6])))
        guard case .malformedHeader(let name, let reason)? = error else {
            Issue.record("header \(header.prefix(80)): got \(String(describing: error))"); return
        }
        #expect(name == "q.npy" && !reason.isEmpty)
        #expect(error!.description.hasPrefix("q.npy: malformed .npy header: "))
    }

    @Test func invalidUTF8InVersion3Header() {
        var bytes = Array(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}  ", major: 3, payload: [0, 0, 0, 0]))
        bytes[14] = 0xFF  // inside the 'descr' key string
        guard case .malformedHeader? = readError(Data(bytes)) else { Issue.record("expected malformedHeader"); return }
    }

    @Test func negativeAndOverflowingShapes() {
        func error(_ shape: String) -> TensorError? {
            readError(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape)}"))
        }
        guard case .invalidShape(_, _, let negative)? = error("(2, -3)") else { Issue.record("negative"); return }
        #expect(negative.contains("-3"))
        guard case .invalidShape(_, _, let huge)? = error("(99999999999999999999999,)") else { Issue.record("huge"); return }
        #expect(huge.contains("99999999999999999999999"))
        guard case .invalidShape(_, _, let product)? = error("(4294967296, 4294967296)") else { Issue.record("product"); return }
        #expect(product.contains("overflow"))
        guard case .invalidShape(_, _, let bytes)? = error("(4611686018427387904,)") else { Issue.record("bytes"); return }
        #expect(bytes.contains("overflow"))
        let description = error("(2, -3)")?.description ?? ""
        #expect(description.hasPrefix("q.npy: invalid shape (2, -3)"))
    }

    @Test func hugeClaimedHeaderLengthIsTruncationNotACrash() {
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes += Array("{}".utf8)
        #expect(readError(Data(bytes)) == .truncatedHeader(name: "q.npy", expectedBytes: 12 + 0xFFFF_FFFF, foundBytes: 14))
    }

    @Test func everyDescriptionNamesTheFile() {
        let errors: [TensorError] = [
            .badMagic(name: "f.npy", found: [1]), .unsupportedVersion(name: "f.npy", major: 9, minor: 9),
            .truncatedHeader(name: "f.npy", expectedBytes: 10, foundBytes: 3), .malformedHeader(name: "f.npy", reason: "x"),
            .unsupportedDtype(name: "f.npy", descr: "<f8"), .bigEndian(name: "f.npy", descr: ">f4"),
            .fortranOrder(name: "f.npy", shape: [2, 2]), .invalidShape(name: "f.npy", shape: "(-1,)", reason: "negative"),
            .truncatedData(name: "f.npy", shape: [1], dtype: .float16, expectedBytes: 2, foundBytes: 0),
            .trailingData(name: "f.npy", shape: [1], dtype: .float16, expectedBytes: 2, foundBytes: 4),
            .shapeMismatch(name: "f.npy", expected: [1], found: [2], layout: nil),
            .fileExists(path: "/tmp/f.npy"), .readFailed(path: "/tmp/f.npy", reason: "x"), .writeFailed(path: "/tmp/f.npy", reason: "x"),
        ]
        for error in errors {
            #expect(error.description.contains("f.npy: "), "\(error)")
        }
    }
}
