import AttentionTestSupport
import Foundation
import Testing

@Suite struct CLITests {
    let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func validatePrintsASummary() throws {
        let result = try AttngenProcess.run(["validate", "Kernels/specs/neighborhood-2d-dilated.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("valid:"))
        #expect(result.stdout.contains("window 7"))
    }

    @Test func badSpecFailsWithTheFieldOnStderr() throws {
        let spec = scratch.appendingPathComponent("bad.json")
        try Data(#"{"problem": {"heads": 6, "kvHeads": 4, "headDim": 8, "queryShape": [8]}, "mask": {"kind": "dense"}}"#.utf8).write(to: spec)
        let result = try AttngenProcess.run(["validate", spec.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("problem.kvHeads = 4"))
        let missing = try AttngenProcess.run(["validate", scratch.appendingPathComponent("absent.json").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("absent.json"))
    }

    @Test func inputsRunVerifyEndToEnd() throws {
        let spec = "Kernels/specs/neighborhood-3d-causal.json"
        let inputs = try AttngenProcess.run(["inputs", spec, "--out-dir", scratch.path, "--seed", "3"])
        #expect(inputs.status == 0, "\(inputs.stderr)")
        let out = scratch.appendingPathComponent("o.npy").path
        let arguments = ["run", spec, "--q", scratch.appendingPathComponent("q.npy").path,
                         "--k", scratch.appendingPathComponent("k.npy").path,
                         "--v", scratch.appendingPathComponent("v.npy").path,
                         "--out", out, "--lse", scratch.appendingPathComponent("lse.npy").path, "--verify"]
        let run = try AttngenProcess.run(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("PASS"))
        #expect(FileManager.default.fileExists(atPath: out))
        // A second run must not overwrite the output without --force.
        let again = try AttngenProcess.run(arguments)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
    }

    /// bfloat16 specs read and write bfloat16 `.npy` files as ml_dtypes saves them ('<V2').
    @Test func bfloat16FilesInAndOut() throws {
        let spec = "Kernels/specs/sliding-window-1d.json"
        let inputs = try AttngenProcess.run(["inputs", spec, "--out-dir", scratch.path])
        #expect(inputs.status == 0, "\(inputs.stderr)")
        let q = try Data(contentsOf: scratch.appendingPathComponent("q.npy"))
        #expect(String(decoding: q.prefix(128), as: UTF8.self).contains("'descr': '<V2'"))
        let out = scratch.appendingPathComponent("o.npy")
        let run = try AttngenProcess.run(["run", spec] + ["q", "k", "v"].flatMap { ["--\($0)", scratch.appendingPathComponent("\($0).npy").path] }
            + ["--out", out.path, "--out-dtype", "bfloat16", "--verify"])
        #expect(run.status == 0 && run.stdout.contains("PASS"), "\(run.stderr)")
        #expect(String(decoding: try Data(contentsOf: out).prefix(128), as: UTF8.self).contains("'descr': '<V2'"))
        let bad = try AttngenProcess.run(["run", spec, "--q", "x", "--k", "x", "--v", "x", "--out", "y", "--out-dtype", "float64"])
        #expect(bad.status != 0 && bad.stderr.contains("float64") && bad.stderr.contains("bfloat16"))
    }

    /// A paged decode with a bias: `inputs` writes the pools and bias.npy, `run --bias` verifies,
    /// and the float16 output spec writes a float16 file by default; a missing bias is an error.
    @Test func pagedSpecWithABiasRunsFromFiles() throws {
        let spec = scratch.appendingPathComponent("paged-bias.json")
        try Data(#"""
            {"problem": {"batch": 2, "heads": 4, "kvHeads": 2, "headDim": 16, "queryShape": [1], "keyShape": [40], "outputDtype": "float16",
                         "pages": {"pageSize": 16, "pageCount": 7, "pageTable": [[4, 0, 6], [2, 5, 1, 3]]}},
             "mask": {"kind": "causal"}, "tiling": {"queryTile": [1], "keyTile": [16]}, "schedule": {"kind": "splitKV", "splits": 2},
             "scores": {"bias": {"perBatch": true}}}
            """#.utf8).write(to: spec)
        let inputs = try AttngenProcess.run(["inputs", spec.path, "--out-dir", scratch.path])
        #expect(inputs.status == 0 && inputs.stdout.contains("[7, 16, 2, 16]") && inputs.stdout.contains("[2, 4, 1, 40]"), "\(inputs.stdout) \(inputs.stderr)")
        let tensors = ["q", "k", "v"].flatMap { ["--\($0)", scratch.appendingPathComponent("\($0).npy").path] }
        let out = scratch.appendingPathComponent("o.npy")
        let run = try AttngenProcess.run(["run", spec.path, "--backend", "cpu"] + tensors
            + ["--bias", scratch.appendingPathComponent("bias.npy").path, "--out", out.path, "--verify"])
        #expect(run.status == 0 && run.stdout.contains("PASS"), "\(run.stdout) \(run.stderr)")
        #expect(String(decoding: try Data(contentsOf: out).prefix(128), as: UTF8.self).contains("'descr': '<f2'"))
        let missing = try AttngenProcess.run(["run", spec.path, "--backend", "cpu"] + tensors + ["--out", scratch.appendingPathComponent("p.npy").path])
        #expect(missing.status != 0 && missing.stderr.contains("needs a bias tensor"), "\(missing.stderr)")
    }

    @Test func wrongTensorShapeIsAClearError() throws {
        let spec = "Kernels/specs/dense-causal-1d.json"
        _ = try AttngenProcess.run(["inputs", "Kernels/specs/gna-blocked-2d.json", "--out-dir", scratch.path])
        let q = scratch.appendingPathComponent("q.npy").path
        let run = try AttngenProcess.run(["run", spec, "--q", q, "--k", q, "--v", q, "--out", scratch.appendingPathComponent("o.npy").path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("q.npy"))
        #expect(run.stderr.contains("[1, 256, 4, 64]"))
    }

    @Test func explainDrawsTheWindow() throws {
        let result = try AttngenProcess.run(["explain", "Kernels/specs/neighborhood-2d-dilated.json", "--query", "5,17"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sees 49 of 1024 keys"))
        #expect(result.stdout.contains(".....#.#.#.#.#.#.Q.............."))
        let bad = try AttngenProcess.run(["explain", "Kernels/specs/neighborhood-2d-dilated.json", "--query", "5,99"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--query 5,99"))
    }

    @Test func everyCommandHasHelpWithAnExample() throws {
        for command in ["validate", "explain", "inputs", "run", "emit", "bench"] {
            let result = try AttngenProcess.run([command, "--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Example"), "\(command)")
        }
    }

    @Test func cpuBackendRunsAndVerifies() throws {
        let spec = "Kernels/specs/decode-gqa-lean.json"
        _ = try AttngenProcess.run(["inputs", spec, "--out-dir", scratch.path, "--seed", "9"])
        let run = try AttngenProcess.run([
            "run", spec, "--q", scratch.appendingPathComponent("q.npy").path, "--k", scratch.appendingPathComponent("k.npy").path,
            "--v", scratch.appendingPathComponent("v.npy").path, "--out", scratch.appendingPathComponent("o.npy").path,
            "--backend", "cpu", "--verify",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("backend cpu"))
        #expect(run.stdout.contains("PASS"))
        let unknown = try AttngenProcess.run(["run", spec, "--q", "q", "--k", "k", "--v", "v", "--out", "o", "--backend", "gpu"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown backend 'gpu'"))
    }

    @Test func emitIRIsStableAndBenchReportsGFlops() throws {
        let spec = "Kernels/specs/dense-causal-1d.json"
        let first = try AttngenProcess.run(["emit", spec, "--target", "ir"])
        let second = try AttngenProcess.run(["emit", spec, "--target", "ir"])
        #expect(first.status == 0 && first.stdout == second.stdout)
        #expect(first.stdout.contains("kernel attention_flash"))
        let bench = try AttngenProcess.run(["bench", spec, "--runs", "1", "--warmup", "0"])
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(bench.stdout.contains("GFLOP/s"))
        let badRuns = try AttngenProcess.run(["bench", spec, "--runs", "0"])
        #expect(badRuns.status != 0)
        #expect(badRuns.stderr.contains("--runs 0"))
    }
}
