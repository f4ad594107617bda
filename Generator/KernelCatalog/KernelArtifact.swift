import Foundation

/// One generated file: where it goes (relative to the output folder) and its bytes.
public struct KernelArtifact: Sendable, Hashable {
    public let path: String
    public let bytes: [UInt8]

    public init(path: String, text: String) {
        self.path = path
        self.bytes = Array(text.utf8)
    }

    public init(path: String, words: [UInt32]) {
        self.path = path
        self.bytes = words.withUnsafeBytes { Array($0) }
    }
}
