import Foundation
import Testing

/// Runs the built `attngen` binary, as a user would.
struct Attngen {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    /// The test runner and the executable are built into the same products folder.
    static var binary: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        while folder.path != "/" && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("attngen").path) {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("attngen")
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment
            .filter { $0.key != "ATTNGEN_BACKEND" }
            .merging(environment) { $1 }
        process.currentDirectoryURL = packageRoot
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite struct CLITests {
    let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func validatePrintsASummary() throws {
        let result = try Attngen.run(["validate", "Kernels/specs/neighborhood-2d-dilated.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("valid:"))
        #expect(result.stdout.contains("window 7"))
    }

    @Test func badSpecFailsWithTheFieldOnStderr() throws {
        let spec = scratch.appendingPathComponent("bad.json")
        try Data(#"{"problem": {"heads": 6, "kvHeads": 4, "headDim": 8, "queryShape": [8]}, "mask": {"kind": "dense"}}"#.utf8).write(to: spec)
        let result = try Attngen.run(["validate", spec.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("problem.kvHeads = 4"))
        let missing = try Attngen.run(["validate", scratch.appendingPathComponent("absent.json").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("absent.json"))
    }

    @Test func inputsRunVerifyEndToEnd() throws {
        let spec = "Kernels/specs/neighborhood-3d-causal.json"
        let inputs = try Attngen.run(["inputs", spec, "--out-dir", scratch.path, "--seed", "3"])
        #expect(inputs.status == 0, "\(inputs.stderr)")
        let out = scratch.appendingPathComponent("o.npy").path
        let arguments = ["run", spec, "--q", scratch.appendingPathComponent("q.npy").path,
                         "--k", scratch.appendingPathComponent("k.npy").path,
                         "--v", scratch.appendingPathComponent("v.npy").path,
                         "--out", out, "--lse", scratch.appendingPathComponent("lse.npy").path, "--verify"]
        let run = try Attngen.run(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("PASS"))
        #expect(FileManager.default.fileExists(atPath: out))
        // A second run must not overwrite the output without --force.
        let again = try Attngen.run(arguments)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
    }

    @Test func wrongTensorShapeIsAClearError() throws {
        let spec = "Kernels/specs/dense-causal-1d.json"
        _ = try Attngen.run(["inputs", "Kernels/specs/gna-blocked-2d.json", "--out-dir", scratch.path])
        let q = scratch.appendingPathComponent("q.npy").path
        let run = try Attngen.run(["run", spec, "--q", q, "--k", q, "--v", q, "--out", scratch.appendingPathComponent("o.npy").path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("q.npy"))
        #expect(run.stderr.contains("[1, 256, 4, 64]"))
    }

    @Test func explainDrawsTheWindow() throws {
        let result = try Attngen.run(["explain", "Kernels/specs/neighborhood-2d-dilated.json", "--query", "5,17"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sees 49 of 1024 keys"))
        #expect(result.stdout.contains(".....#.#.#.#.#.#.Q.............."))
        let bad = try Attngen.run(["explain", "Kernels/specs/neighborhood-2d-dilated.json", "--query", "5,99"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--query 5,99"))
    }

    @Test func everyCommandHasHelpWithAnExample() throws {
        for command in ["validate", "explain", "inputs", "run", "emit", "bench"] {
            let result = try Attngen.run([command, "--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Example"), "\(command)")
        }
    }

    @Test func cpuBackendRunsAndVerifies() throws {
        let spec = "Kernels/specs/decode-gqa-lean.json"
        _ = try Attngen.run(["inputs", spec, "--out-dir", scratch.path, "--seed", "9"])
        let run = try Attngen.run([
            "run", spec, "--q", scratch.appendingPathComponent("q.npy").path, "--k", scratch.appendingPathComponent("k.npy").path,
            "--v", scratch.appendingPathComponent("v.npy").path, "--out", scratch.appendingPathComponent("o.npy").path,
            "--backend", "cpu", "--verify",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("backend cpu"))
        #expect(run.stdout.contains("PASS"))
        let unknown = try Attngen.run(["run", spec, "--q", "q", "--k", "k", "--v", "v", "--out", "o", "--backend", "gpu"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown backend 'gpu'"))
    }

    @Test func emitIRIsStableAndBenchReportsGFlops() throws {
        let spec = "Kernels/specs/dense-causal-1d.json"
        let first = try Attngen.run(["emit", spec, "--target", "ir"])
        let second = try Attngen.run(["emit", spec, "--target", "ir"])
        #expect(first.status == 0 && first.stdout == second.stdout)
        #expect(first.stdout.contains("kernel attention_flash"))
        let bench = try Attngen.run(["bench", spec, "--runs", "1", "--warmup", "0"])
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(bench.stdout.contains("GFLOP/s"))
        let badRuns = try Attngen.run(["bench", spec, "--runs", "0"])
        #expect(badRuns.status != 0)
        #expect(badRuns.stderr.contains("--runs 0"))
    }
}
