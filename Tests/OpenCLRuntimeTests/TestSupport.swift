import Foundation
@testable import OpenCLRuntime

/// Small kernels and helpers shared by the tests (every test really runs on PoCL).
enum TestKernels {
    static let vectorAdd = """
        __kernel void vadd(__global const float* a, __global const float* b,
                           __global float* c, const int n) {
            int i = get_global_id(0);
            if (i < n) c[i] = a[i] + b[i];
        }

        __kernel void scale(__global float* x, const float s) {
            x[get_global_id(0)] *= s;
        }
        """

    /// Tiled matmul with __local tiles passed as arguments; TILE comes from the build options.
    static let matmul = """
        __kernel void matmul(__global const float* A, __global const float* B, __global float* C,
                             const int M, const int N, const int K,
                             __local float* As, __local float* Bs) {
            const int row = get_global_id(1), col = get_global_id(0);
            const int lr = get_local_id(1), lc = get_local_id(0);
            float acc = 0.0f;
            for (int t = 0; t < K; t += TILE) {
                As[lr * TILE + lc] = A[row * K + t + lc];
                Bs[lr * TILE + lc] = B[(t + lr) * N + col];
                barrier(CLK_LOCAL_MEM_FENCE);
                for (int k = 0; k < TILE; ++k) acc += As[lr * TILE + k] * Bs[k * TILE + lc];
                barrier(CLK_LOCAL_MEM_FENCE);
            }
            C[row * N + col] = acc;
        }
        """

    /// The error is on line 3 (`undeclared_thing`).
    static let broken = """
        __kernel void broken(__global float* x) {
            int i = get_global_id(0);
            x[i] = undeclared_thing * 2.0f;
        }
        """
}

/// A fresh temporary folder for a disk cache, removed by `cleanup()`.
struct TemporaryFolder {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("attentiongen-opencl-tests-\(UUID().uuidString)").path
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    var files: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// A context on the first device without the user's disk cache.
func makeContext(_ cache: ProgramCacheLocation = .disabled) throws -> OpenCLContext {
    try OpenCLContext(device: OpenCLDevices.select(.index(0)), programCache: cache)
}
