import Foundation

/// Two builds of one target. Built normally, `attngen-fuzz TARGET FILE|FOLDER...` replays inputs
/// (the seed corpus and every kept finding) through a fuzz target: the regression run that
/// scripts/test.sh does. Built by scripts/fuzz.sh with `-sanitize=fuzzer,address -DFUZZING`,
/// libFuzzer drives the target that ATTNGEN_FUZZ_TARGET names.
@main enum FuzzMain {
    static func main() {
        #if FUZZING
        exit(runFuzzer())
        #else
        replay(CommandLine.arguments.dropFirst())
        #endif
    }

    static func replay(_ arguments: ArraySlice<String>) {
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
            fail("usage: attngen-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE|FOLDER...", status: 2)
        }
        var replayed = 0
        for path in arguments.dropFirst() {
            let url = URL(fileURLWithPath: path)
            let listed = try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            for file in listed?.sorted(by: { $0.path < $1.path }) ?? [url] {
                guard let data = try? Data(contentsOf: file) else { fail("\(file.path): cannot be read", status: 1) }
                target(data)
                replayed += 1
            }
        }
        print("\(target.rawValue): \(replayed) inputs replayed, no crash")
    }

    static func fail(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(status)
    }
}

#if FUZZING
/// libFuzzer's entry when it does not bring its own `main` (ours is the one above).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

private let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["ATTNGEN_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FuzzMain.fail("ATTNGEN_FUZZ_TARGET=\(name): expected one of \(FuzzTarget.allCases.map(\.rawValue))", status: 2)
    }
    return target
}()

private func runFuzzer() -> Int32 {
    _ = fuzzTarget
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    return LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
        fuzzTarget(Data(bytes: bytes, count: count))
        return 0
    }
}
#endif
