import AttentionTestSupport
import Foundation
import Testing

/// Inputs a mutation fuzzer found: each must end in a one-line error naming the bad value (exit
/// 1), or an answer, fast; never a trap, a hang or an unbounded allocation.
@Suite struct BadInputCLITests {
    let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-bad-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    private func spec(_ json: String, name: String = "spec.json") throws -> String {
        let url = scratch.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url.path
    }

    private func expectRefusal(_ arguments: [String], naming text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try AttngenProcess.run(arguments)
        #expect(result.status == 1, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("runtime failure"), sourceLocation: sourceLocation)
    }

    static let dense = #"{"problem":{"heads":1,"headDim":8,"queryShape":[64]},"mask":{"kind":"dense"}"#

    @Test func overflowingSplitsAreRefusedByEveryCommand() throws {
        for splits in ["2147483647", "2147483648"] {
            let path = try spec(Self.dense + #","schedule":{"kind":"splitKV","splits":\#(splits)}}"#)
            try expectRefusal(["emit", path, "--target", "opencl"], naming: "schedule.splits = \(splits)")
            try expectRefusal(["simulate", path], naming: "schedule.splits")
        }
    }

    @Test func theMemoryBudgetRefusesBeforeAllocating() throws {
        let path = try spec(Self.dense + "}")
        try expectRefusal(["inputs", path, "--out-dir", scratch.path, "--memory-budget", "1000"], naming: "bytes (input tensors")
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("q.npy").path))
        try expectRefusal(["emit", path, "--target", "opencl", "--memory-budget", "10"], naming: "memory budget is 10 bytes")
    }

    @Test func hugeGridsAnswerOrRefuseAtOnce() throws {
        let path = try spec(#"{"problem":{"heads":1,"headDim":8,"queryShape":[1000000000]},"mask":{"kind":"causal"}}"#)
        let start = ContinuousClock.now
        try expectRefusal(["simulate", path], naming: "tiling")
        try expectRefusal(["emit", path, "--target", "ir"], naming: "tiling")
        let explain = try AttngenProcess.run(["explain", path])
        #expect(explain.status == 0 && explain.stdout.contains("sees 500000001 of 1000000000 keys"), "\(explain.stderr)")
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func explainHonoursMaxSideOnOneAxis() throws {
        let path = try spec(#"{"problem":{"heads":1,"headDim":8,"queryShape":[100000]},"mask":{"kind":"causal"}}"#)
        let result = try AttngenProcess.run(["explain", path, "--max-side", "16"])
        #expect(result.status == 0 && result.stdout.split(separator: "\n").count <= 3, "\(result.stdout.prefix(300))")
        let smallSpec = try spec(#"{"problem":{"heads":1,"headDim":8,"queryShape":[1000]},"mask":{"kind":"causal"}}"#, name: "small.json")
        let small = try AttngenProcess.run(["explain", smallSpec, "--max-side", "16"])
        #expect(small.status == 0 && small.stdout.split(separator: "\n").count == 17, "\(small.stdout.prefix(300))")
    }

    @Test func negativeQueryCoordinatesAreValuesNotOptions() throws {
        let path = try spec(#"{"problem":{"heads":1,"headDim":8,"queryShape":[8, 8]},"mask":{"kind":"dense"}}"#)
        try expectRefusal(["explain", path, "--query", "-1,5"], naming: "coordinate -1 on axis 0 is outside 0..<8")
    }

    @Test func outputsAreNeverLost() throws {
        let path = try spec(Self.dense + "}")
        #expect(try AttngenProcess.run(["inputs", path, "--out-dir", scratch.path]).status == 0)
        let tensors = ["q", "k", "v"].flatMap { ["--\($0)", scratch.appendingPathComponent("\($0).npy").path] }
        let same = scratch.appendingPathComponent("same.npy").path
        try expectRefusal(["run", path] + tensors + ["--out", same, "--lse", same, "--force"], naming: "names the same file as --out")
        let fifo = scratch.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        try expectRefusal(["run", path] + tensors + ["--out", fifo, "--force"], naming: "not a regular file")
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        let out = scratch.appendingPathComponent("o.npy").path
        for _ in 0..<2 { #expect(try AttngenProcess.run(["run", path] + tensors + ["--out", out, "--force", "--backend", "cpu"]).status == 0) }
        let kept = try AttngenProcess.run(["run", path] + tensors + ["--out", out, "--backend", "cpu"])
        #expect(kept.status == 1 && kept.stderr.contains("--force") && !kept.stderr.contains("overwrite: true"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func aNaNAmplitudeIsRefused() throws {
        let result = try AttngenProcess.run(["inputs", try spec(Self.dense + "}"), "--out-dir", scratch.path, "--amplitude", "nan"])
        #expect(result.status != 0 && result.stderr.contains("--amplitude nan: must be a finite number"), "\(result.stderr)")
    }
}
