import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line, for schedulers and log shippers:
/// `time` (ISO 8601, UTC), `level`, `message`, then the metadata's keys (the handler's own,
/// then the message's, which win). Keys sorted, so lines diff and grep well.
public struct JSONLinesLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level = .info,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: Any] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = Self.json(value)
        }
        object["time"] = Self.timestamp()
        object["level"] = event.level.rawValue
        object["message"] = "\(event.message)"
        object["logger"] = label
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// Strings that hold a number (`.stringConvertible` of a Double) stay strings: the caller
    /// chooses; nested values become arrays and objects.
    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case let .string(text): return text
        case let .stringConvertible(convertible):
            if let number = convertible as? Double { return number.isFinite ? number : "\(number)" }
            if let number = convertible as? Int { return number }
            if let flag = convertible as? Bool { return flag }
            return "\(convertible)"
        case let .array(items): return items.map(json)
        case let .dictionary(entries): return entries.mapValues(json)
        }
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
