import AttentionTestSupport
import Foundation
import Testing

@Suite struct BackendChoiceCLITests {
    /// `devices --explain` names the choice and a reason for every skipped backend; `--verbose`
    /// adds the debug log line on stderr.
    @Test func explainSaysWhatAutoPicksAndWhy() throws {
        let result = try AttngenProcess.run(["devices", "--explain", "--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("chosen by auto"))
        let selection = result.stdout.components(separatedBy: "\n\n")[0]
        for line in selection.split(separator: "\n").dropFirst() {
            #expect(line.contains("— chosen") || line.contains("— standby") || line.contains("— skipped: "), "\(line)")
        }
        #expect(result.stderr.contains("attention backend selected"))
    }

    /// With `--spec`, the chosen device backend's kernel strategy, tiling and shared memory,
    /// beside the device's limits.
    @Test(arguments: ["opencl", "vulkan"])
    func explainShowsTheKernelStrategy(_ backend: String) throws {
        let result = try AttngenProcess.run(["devices", "--explain", "--backend", backend, "--spec", "Kernels/specs/flash-d128.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\(backend) on "))
        #expect(result.stdout.contains("  strategy ") && result.stdout.contains("K staged"))
        #expect(result.stdout.contains("bytes of shared memory") && result.stdout.contains("  device: "))
        let misplaced = try AttngenProcess.run(["devices", "--spec", "Kernels/specs/flash-d128.json"])
        #expect(misplaced.status != 0 && misplaced.stderr.contains("--spec applies with --explain only"))
    }

    @Test func environmentAndFlagForceTheBackend() throws {
        let forced = try AttngenProcess.run(["devices", "--explain"], environment: ["ATTNGEN_BACKEND": "reference"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.hasPrefix("backend reference on host CPU"))
        #expect(forced.stdout.contains("forced by ATTNGEN_BACKEND=reference"))

        let bad = try AttngenProcess.run(["devices", "--explain"], environment: ["ATTNGEN_BACKEND": "cuda"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("ATTNGEN_BACKEND='cuda' is not a backend"))

        let missing = try AttngenProcess.run([
            "run", "Kernels/specs/dense-causal-1d.json", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "/tmp/never.npy",
            "--backend", "vulkan:no-such-gpu",
        ])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("backend 'vulkan' is not available"))
        #expect(missing.stderr.contains("no-such-gpu"))
    }
}

@Suite struct PackageCLITests {
    /// `attngen package` writes a package that `run --kernels` uses on a device backend (PoCL
    /// here), and the result passes the tolerance rule.
    @Test func packageThenRunFromIt() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-package-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let spec = "Kernels/specs/decode-gqa-lean.json"
        let packages = scratch.appendingPathComponent("packages")
        let made = try AttngenProcess.run(["package", spec, "--out", packages.appendingPathComponent("decode-gqa-lean.attnkernels.json").path])
        #expect(made.status == 0, "\(made.stderr)")
        _ = try AttngenProcess.run(["inputs", spec, "--out-dir", scratch.path])
        let run = try AttngenProcess.run([
            "run", spec, "--q", scratch.appendingPathComponent("q.npy").path, "--k", scratch.appendingPathComponent("k.npy").path,
            "--v", scratch.appendingPathComponent("v.npy").path, "--out", scratch.appendingPathComponent("o.npy").path,
            "--backend", "opencl", "--kernels", packages.path, "--verify",
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("kernels: from package decode-gqa-lean (nothing generated)"))
        #expect(run.stdout.contains("PASS"))

        let again = try AttngenProcess.run(["package", "Kernels/specs/dense-causal-1d.json", "--out", packages.appendingPathComponent("decode-gqa-lean.attnkernels.json").path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
    }
}
