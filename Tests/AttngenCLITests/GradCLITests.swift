import AttentionTestSupport
import Foundation
import Testing

/// `attngen grad` as a user runs it: inputs, the forward, the backward, checked by --verify.
@Suite struct GradCLITests {
    let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-grad-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    var gradientOutputs: [String] { ["--dq", path("dq.npy"), "--dk", path("dk.npy"), "--dv", path("dv.npy")] }

    @Test(arguments: ["cpu", "opencl", "reference"])
    func gradVerifiesOnEachBackend(backend: String) throws {
        let spec = "Kernels/specs/neighborhood-3d-causal.json"
        let inputs = try AttngenProcess.run(["inputs", spec, "--out-dir", scratch.path, "--gradient", "--seed", "4"])
        #expect(inputs.status == 0, "\(inputs.stderr)")
        #expect(FileManager.default.fileExists(atPath: path("dout.npy")))
        let arguments = ["grad", spec, "--q", path("q.npy"), "--k", path("k.npy"), "--v", path("v.npy"), "--dout", path("dout.npy")]
            + gradientOutputs + ["--backend", backend, "--verify"]
        let grad = try AttngenProcess.run(arguments)
        #expect(grad.status == 0, "\(grad.stderr)")
        #expect(grad.stdout.contains("PASS") && grad.stdout.contains("backend \(backend)"))
        #expect(FileManager.default.fileExists(atPath: path("dk.npy")))
        // The gradients are never overwritten without --force.
        let again = try AttngenProcess.run(arguments)
        #expect(again.status != 0 && again.stderr.contains("already exists"))
    }

    @Test func givenForwardIsReusedAndMustComeWhole() throws {
        let spec = "Kernels/specs/dense-causal-1d.json"
        _ = try AttngenProcess.run(["inputs", spec, "--out-dir", scratch.path, "--gradient"])
        let tensors = ["--q", path("q.npy"), "--k", path("k.npy"), "--v", path("v.npy")]
        let run = try AttngenProcess.run(["run", spec] + tensors + ["--out", path("o.npy"), "--lse", path("lse.npy"), "--backend", "cpu"])
        #expect(run.status == 0, "\(run.stderr)")
        let grad = try AttngenProcess.run(
            ["grad", spec] + tensors + ["--dout", path("dout.npy"), "--out", path("o.npy"), "--lse", path("lse.npy")] + gradientOutputs
                + ["--backend", "cpu", "--verify"])
        #expect(grad.status == 0, "\(grad.stderr)")
        #expect(grad.stdout.contains("(backward)"))
        let half = try AttngenProcess.run(["grad", spec] + tensors + ["--dout", path("dout.npy"), "--out", path("o.npy")] + gradientOutputs)
        #expect(half.status != 0 && half.stderr.contains("--out was given without --lse"))
        let wrong = try AttngenProcess.run(["grad", spec] + tensors + ["--dout", path("lse.npy"), "--dq", path("x.npy"), "--dk", path("y.npy"), "--dv", path("z.npy")])
        #expect(wrong.status != 0 && wrong.stderr.contains("dout"), "\(wrong.stderr)")
    }

    @Test func emitShowsTheBackwardKernels() throws {
        let opencl = try AttngenProcess.run(["emit", "Kernels/specs/neighborhood-2d-7x7.json", "--target", "opencl", "--backward"])
        #expect(opencl.status == 0, "\(opencl.stderr)")
        #expect(opencl.stdout.contains("__kernel") && opencl.stdout.contains("attention_backward_kv("))
        let glsl = try AttngenProcess.run(["emit", "Kernels/specs/neighborhood-2d-7x7.json", "--target", "glsl", "--backward"])
        #expect(glsl.status == 0 && glsl.stdout.contains("void main()"))
        let ir = try AttngenProcess.run(["emit", "Kernels/specs/neighborhood-2d-7x7.json", "--target", "ir", "--backward"])
        #expect(ir.status != 0 && ir.stderr.contains("--backward applies to"))
    }

    @Test func benchTimesForwardAndBackward() throws {
        let result = try AttngenProcess.run(["bench", "Kernels/specs/dense-causal-1d.json", "--backward", "--runs", "1", "--warmup", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("forward+backward (backward alone"))
        let refused = try AttngenProcess.run(["bench", "Kernels/specs/dense-causal-1d.json", "--backward", "--backend", "opencl"])
        #expect(refused.status != 0 && refused.stderr.contains("--backward"))
    }
}
