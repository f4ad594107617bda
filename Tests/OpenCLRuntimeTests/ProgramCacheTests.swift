import Foundation
import Testing
@testable import OpenCLRuntime

@Suite struct ProgramCacheTests {
    @Test func secondBuildIsAMemoryCacheHit() throws {
        let context = try makeContext()
        let first = try context.buildProgram(source: TestKernels.vectorAdd)
        let second = try context.buildProgram(source: TestKernels.vectorAdd)
        #expect(first === second)
        #expect(context.cacheMisses == 1)
        #expect(context.cacheHits == 1)
        #expect(context.diskHits == 0)
        // Options are part of the key.
        let third = try context.buildProgram(source: TestKernels.vectorAdd, options: "-cl-fast-relaxed-math")
        #expect(third !== first)
        #expect(context.cacheMisses == 2)
        #expect(Set(first.kernelNames) == ["vadd", "scale"])
    }

    @Test func freshContextGetsADiskHit() throws {
        let folder = TemporaryFolder()
        defer { folder.cleanup() }
        let writer = try makeContext(.directory(folder.path))
        let built = try writer.buildProgram(source: TestKernels.vectorAdd)
        #expect(built.origin == .source)
        #expect(writer.cacheStatistics.diskWrites == 1)
        #expect(folder.files.count == 1)

        let reader = try makeContext(.directory(folder.path))
        let loaded = try reader.buildProgram(source: TestKernels.vectorAdd)
        #expect(loaded.origin == .diskCache)
        #expect(reader.diskHits == 1)
        #expect(reader.cacheStatistics.sourceBuilds == 0)
        print("PoCL vadd: source build \(ms(built.buildSeconds)), disk-cache load+build \(ms(loaded.buildSeconds))")

        // The program from the binary really runs.
        let a = try reader.makeBuffer([Float](repeating: 1.5, count: 64), access: .readOnly)
        let c = try reader.makeBuffer(count: 64, of: Float.self, access: .writeOnly)
        let kernel = try loaded.makeKernel("vadd")
        try reader.dispatch(kernel, global: [64], arguments: [.buffer(a), .buffer(a), .buffer(c), .int32(64)]).wait()
        #expect(try c.read(as: Float.self) == [Float](repeating: 3, count: 64))
    }

    @Test func corruptCacheFileIsIgnoredAndRewritten() throws {
        let folder = TemporaryFolder()
        defer { folder.cleanup() }
        _ = try makeContext(.directory(folder.path)).buildProgram(source: TestKernels.vectorAdd)
        let file = folder.path + "/" + (try #require(folder.files.first))
        let good = try #require(FileManager.default.contents(atPath: file))

        for garbage in [Data(), Data("not a binary at all".utf8), good.prefix(good.count / 2), corrupted(good)] {
            try garbage.write(to: URL(fileURLWithPath: file))
            let context = try makeContext(.directory(folder.path))
            let program = try context.buildProgram(source: TestKernels.vectorAdd)
            #expect(program.origin == .source)
            #expect(context.cacheStatistics.diskRejected == 1)
            #expect(context.cacheStatistics.diskWrites == 1)  // rewritten...
            // ...with a valid file (not byte-equal to `good`: a PoCL binary also carries the
            // work-group functions compiled since, so its bytes vary from build to build).
            #expect(FileManager.default.contents(atPath: file) != garbage)
            let healed = try makeContext(.directory(folder.path))
            #expect(try healed.buildProgram(source: TestKernels.vectorAdd).origin == .diskCache)
            #expect(healed.diskHits == 1)
        }
    }

    @Test func binaryTheDriverRejectsFallsBackToSource() throws {
        // Well-formed cache file (right key, right checksum) whose payload is not a PoCL binary.
        let folder = TemporaryFolder()
        defer { folder.cleanup() }
        let device = try OpenCLDevices.select(.index(0))
        let key = ProgramKey(source: TestKernels.vectorAdd, options: "", device: device)
        let cache = ProgramBinaryCache(directory: folder.path)
        for payload in [[UInt8](repeating: 0, count: 4096), Array("BC\u{C0}\u{DE} not bitcode".utf8)] {
            #expect(cache.store(payload, for: key))
            let context = try makeContext(.directory(folder.path))
            let program = try context.buildProgram(source: TestKernels.vectorAdd)
            #expect(program.origin == .source)
            #expect(context.cacheStatistics.diskRejected == 1)
            #expect(context.cacheStatistics.diskWrites == 1)
            guard case .binary = cache.load(key) else { Issue.record("cache file not rewritten"); continue }
        }
    }

    @Test func binaryFromAnotherKeyIsNotUsed() throws {
        // A valid file renamed onto another program's name must be rejected by its key check.
        let folder = TemporaryFolder()
        defer { folder.cleanup() }
        let context = try makeContext(.directory(folder.path))
        _ = try context.buildProgram(source: TestKernels.vectorAdd)
        let other = TestKernels.vectorAdd + "\n// variant\n"
        let cache = ProgramBinaryCache(directory: folder.path)
        let source = cache.path(for: ProgramKey(source: TestKernels.vectorAdd, options: "", device: context.device))
        let target = cache.path(for: ProgramKey(source: other, options: "", device: context.device))
        try FileManager.default.copyItem(atPath: source, toPath: target)
        let fresh = try makeContext(.directory(folder.path))
        #expect(try fresh.buildProgram(source: other).origin == .source)
        #expect(fresh.cacheStatistics.diskRejected == 1)
    }

    @Test func brokenSourceReportsTheBuildLog() throws {
        let context = try makeContext()
        #expect {
            try context.buildProgram(source: TestKernels.broken)
        } throws: { error in
            guard let error = error as? OpenCLError, case let .buildFailed(device, log, _) = error else { return false }
            print("PoCL build log for the broken kernel:\n\(log)")
            return device == context.device.name && log.contains("undeclared_thing") && log.contains(":3:")
                && error.errorName == "CL_BUILD_PROGRAM_FAILURE" && error.description.contains(log)
        }
        #expect(context.cacheMisses == 1)
        #expect(context.cacheHits == 0)  // failures are not cached
    }

    @Test func unknownKernelNameListsTheProgramsKernels() throws {
        let program = try makeContext().buildProgram(source: TestKernels.vectorAdd)
        #expect {
            try program.makeKernel("vsub")
        } throws: { error in
            guard let error = error as? OpenCLError, case let .kernelNotFound(name, available) = error else { return false }
            return name == "vsub" && Set(available) == ["vadd", "scale"] && error.description.contains("vadd")
        }
    }

    @Test func concurrentBuildsOfOneSourceBuildOnce() async throws {
        let context = try makeContext()
        let programs = try await withThrowingTaskGroup(of: OpenCLProgram.self) { group in
            for _ in 0..<8 { group.addTask { try context.buildProgram(source: TestKernels.vectorAdd, options: "-DVARIANT=1") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(programs.allSatisfy { $0 === programs[0] })
        #expect(context.cacheMisses == 1)
        #expect(context.cacheHits == 7)
    }

    private func corrupted(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        bytes[bytes.count / 2] ^= 0xFF  // flips a payload byte: checksum must catch it
        return Data(bytes)
    }
}

func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }

@Suite struct LifetimeTests {
    @Test func contextIsFreedDespiteItsProgramCache() throws {
        weak var weakContext: OpenCLContext?
        var kernel: OpenCLKernel?
        do {
            let context = try makeContext()
            weakContext = context
            kernel = try context.buildProgram(source: TestKernels.vectorAdd).makeKernel("scale")
        }
        #expect(weakContext == nil)  // no context ↔ program cycle
        // The kernel still works on its own: it keeps the driver objects alive.
        let k = try #require(kernel)
        #expect(k.workGroupSize >= 1)
        #expect(k.program.device.name == (try OpenCLDevices.select(.index(0))).name)
    }
}
