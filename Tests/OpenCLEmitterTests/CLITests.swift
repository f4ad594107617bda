import AttentionSpec
import Foundation
import Testing

/// `attngen emit --target opencl` and `attngen devices`, run as a user would.
@Suite struct OpenCLCLITests {
    let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-opencl-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func emitWritesSourceAndAParsableManifestAndKeepsExistingFiles() throws {
        let spec = "Kernels/specs/decode-gqa-splitkv.json"
        let first = try AttngenProcess.run(["emit", spec, "--target", "opencl", "--out", scratch.path])
        #expect(first.status == 0, "\(first.stderr)")
        let source = try String(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.cl"), encoding: .utf8)
        #expect(source.contains("__kernel") && source.contains("void attention_split_kv(") && source.contains("void merge_partials("))
        let manifestData = try Data(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.manifest.json"))
        guard case .object(let manifest) = try JSONValue.parse(manifestData), case .array(let kernels) = manifest["kernels"] else {
            Issue.record("the manifest has no kernels")
            return
        }
        #expect(kernels.count == 2)
        #expect(manifest["sourceFile"] == .string("decode-gqa-splitkv.cl"))

        let again = try AttngenProcess.run(["emit", spec, "--target", "opencl", "--out", scratch.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists") && again.stderr.contains("--force"))
        let forced = try AttngenProcess.run(["emit", spec, "--target", "opencl", "--out", scratch.path, "--force"])
        #expect(forced.status == 0)
        let rewritten = try String(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.cl"), encoding: .utf8)
        #expect(rewritten == source)
    }

    @Test func emitWithoutOutPrintsTheSource() throws {
        let result = try AttngenProcess.run(["emit", "Kernels/specs/neighborhood-3d-causal.json", "--target", "opencl"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("bool neighborhood_mask_allows(") && result.stdout.contains("void attention_flash("))
    }

    @Test func devicesListsThePlatform() throws {
        let result = try AttngenProcess.run(["devices"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Platform 0") && result.stdout.contains("Local"), "\(result.stdout)")
    }

    @Test func devicesWithoutAPlatformSaysSoAndSucceeds() throws {
        let empty = scratch.appendingPathComponent("no-vendors")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try AttngenProcess.run(["devices"], environment: ["OCL_ICD_VENDORS": empty.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("no platforms") && result.stdout.contains("Reason:"), "\(result.stdout)")
    }
}

/// Runs the built `attngen` binary from the package root.
enum AttngenProcess {
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

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
