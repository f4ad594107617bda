import ArgumentParser
import AttentionGen
import Foundation

/// The spec file argument every command takes, loaded and validated.
struct SpecArgument: ParsableArguments {
    @Argument(help: "The attention spec (JSON, see docs/spec-format.md).")
    var spec: String

    func load() throws -> AttentionSpec { try Self.load(spec) }

    /// The spec in the JSON file at `path`; a `CLIError` naming the file otherwise.
    static func load(_ path: String) throws -> AttentionSpec {
        do {
            return try AttentionSpec(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }

    /// The plan of the loaded spec; a plan-level refusal names the file like a spec error.
    func plan(_ loaded: AttentionSpec) throws -> TilePlan {
        do {
            return try TilePlan(loaded)
        } catch {
            throw CLIError("\(spec): \(error)")
        }
    }
}

/// A failure the CLI reports as one line on stderr, exiting non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `[2, 3]` → `2×3`.
func gridText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
