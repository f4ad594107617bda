import Foundation
import Testing
@testable import AttentionTensors

@Suite struct NpyFileTests {
    @Test func writeThenReadFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tensor = ramp([2, 4, 3, 8])
        for dtype in [ElementType.float32, .float16] {
            let url = dir.appendingPathComponent("t-\(dtype).npy")
            try Npy.write(tensor, to: url, as: dtype)
            let (read, readType) = try Npy.read(url)
            #expect(read == tensor && readType == dtype)
        }
    }

    @Test func refusesToOverwriteUnlessAsked() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("o.npy")
        try Npy.write(Tensor(zeros: [2]), to: url)
        let error = tensorError { try Npy.write(Tensor(zeros: [3]), to: url) }
        #expect(error == .fileExists(path: url.path))
        #expect(error?.description.contains(url.path) == true)
        #expect(error?.description.contains("overwrite: true") == true)
        #expect(try Npy.read(url).tensor.shape == [2])  // untouched
        try Npy.write(Tensor(zeros: [3]), to: url, overwrite: true)
        #expect(try Npy.read(url).tensor.shape == [3])
    }

    @Test func replacesRegularFilesOnlyAndLeavesNoTemporaryFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo.npy")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let error = tensorError { try Npy.write(Tensor(zeros: [2]), to: fifo, overwrite: true) }
        #expect(error == .notRegularFile(path: fifo.path))
        try Npy.write(Tensor(zeros: [2]), to: dir.appendingPathComponent("o.npy"))
        try Npy.write(Tensor(zeros: [3]), to: dir.appendingPathComponent("o.npy"), overwrite: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["fifo.npy", "o.npy"])
    }

    @Test func bfloat16FilesRoundTrip() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("b.npy")
        try Npy.write(try Tensor(shape: [2], elements: [0.5, -3]), to: url, as: .bfloat16)
        let (tensor, dtype) = try Npy.read(url)
        #expect(dtype == .bfloat16 && tensor.elements == [0.5, -3])
    }

    @Test func missingFileAndUnwritableDirectory() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.npy")
        guard case .readFailed(let path, let reason)? = tensorError({ try Npy.read(missing) }) else {
            Issue.record("expected readFailed"); return
        }
        #expect(path == missing.path && !reason.isEmpty)
        let nowhere = dir.appendingPathComponent("no/such/dir/x.npy")
        guard case .writeFailed(let writePath, _)? = tensorError({ try Npy.write(Tensor(zeros: [1]), to: nowhere) }) else {
            Issue.record("expected writeFailed"); return
        }
        #expect(writePath == nowhere.path)
    }

    @Test func expectingShapeWithRole() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let q = dir.appendingPathComponent("q.npy")
        try Npy.write(Tensor(zeros: [2, 32, 8, 32]), to: q)

        let error = tensorError {
            try Npy.read(q, expectingShape: [2, 32, 8, 64], role: "q", layout: "[batch, *queryShape, heads, headDim]")
        }
        #expect(error?.description
                == "q.npy: expected shape [2, 32, 8, 64] ([batch, *queryShape, heads, headDim]) but the file has [2, 32, 8, 32]")
        #expect(tensorError { try Npy.read(q, expectingShape: [1], role: "q") }?.description
                == "q.npy: expected shape [1] but the file has [2, 32, 8, 32]")
        // A file whose name differs from its role gets the role in every message.
        let other = dir.appendingPathComponent("query_0.npy")
        try Npy.write(Tensor(zeros: [1]), to: other, as: .float16)
        #expect(tensorError { try Npy.read(other, expectingShape: [2], role: "q") }
                == .shapeMismatch(name: "query_0.npy (q)", expected: [2], found: [1], layout: nil))

        let ok = try Npy.read(q, expectingShape: [2, 32, 8, 32], role: "q")
        #expect(ok.shape == [2, 32, 8, 32])
    }

    @Test func roleNameAppearsInFormatErrorsToo() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("keys.npy")
        try fixture(NumpyFixtures.float64).write(to: url)
        #expect(tensorError { try Npy.read(url, expectingShape: [3], role: "k") } == .unsupportedDtype(name: "keys.npy (k)", descr: "<f8"))
    }
}
