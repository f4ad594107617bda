import Foundation
import Logging

/// Log records kept in memory so tests can read what the runtime logged.
final class LogSink: @unchecked Sendable {
    struct Record {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Record] = []

    var records: [Record] { lock.withLock { stored } }
    func append(_ record: Record) { lock.withLock { stored.append(record) } }
}

struct CapturingLogHandler: LogHandler {
    let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        sink.append(.init(level: event.level, message: event.message.description, metadata: merged.mapValues(\.description)))
    }
}
