import Foundation

/// Where compiled program binaries are kept between runs.
public enum ProgramCacheLocation: Sendable, Hashable {
    case disabled
    /// A folder of your choosing (tests use a temporary one).
    case directory(String)

    /// `$XDG_CACHE_HOME/attentiongen/opencl`, else `~/.cache/attentiongen/opencl`.
    public static var userDefault: ProgramCacheLocation {
        let environment = ProcessInfo.processInfo.environment
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { base = xdg }  // spec: relative is invalid
        else { base = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache" }
        return .directory(base + "/attentiongen/opencl")
    }

    var path: String? {
        if case .directory(let path) = self { return path }
        return nil
    }
}

/// Counters of the program caches, readable by tests and benchmarks.
public struct ProgramCacheStatistics: Sendable, Hashable {
    /// `buildProgram` returned an already built program of this context.
    public var cacheHits = 0
    /// `buildProgram` had to produce a program (from disk or from source).
    public var cacheMisses = 0
    /// A binary from the disk cache was accepted by the driver.
    public var diskHits = 0
    /// A disk-cache file existed but was corrupt, stale or rejected by the driver (then rewritten).
    public var diskRejected = 0
    /// Binaries written to the disk cache.
    public var diskWrites = 0
    /// Compilations from source.
    public var sourceBuilds = 0
}
