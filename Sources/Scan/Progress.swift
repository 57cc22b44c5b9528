import Foundation
import Reports

/// Where the runner reports what it is doing. Called from several tasks.
public protocol ScanProgress: Sendable {
    /// Before any work: how many items there are and how many were already done.
    func started(total: Int, alreadyDone: Int)
    func began(path: String)
    /// After each video analysed or failed in this run: `done` counts all finished so far,
    /// including those reused from the store.
    func finished(_ row: VideoRow, done: Int, total: Int)
    func ended(interrupted: Bool)
    /// Something the user should know that is not about one video (a damaged store kept aside).
    func warning(_ message: String)
}

extension ScanProgress {
    public func warning(_ message: String) {}
}

/// Pure text of a progress line, kept apart from the terminal so it can be tested.
public struct ProgressLine: Sendable, Equatable {
    public var done: Int
    public var total: Int
    /// Videos analysed in this run (not reused from the store), for the rate.
    public var analysedThisRun: Int
    public var elapsedSeconds: Double
    public var current: String?

    public init(done: Int, total: Int, analysedThisRun: Int, elapsedSeconds: Double, current: String?) {
        self.done = done
        self.total = total
        self.analysedThisRun = analysedThisRun
        self.elapsedSeconds = elapsedSeconds
        self.current = current
    }

    public var videosPerMinute: Double? {
        guard analysedThisRun > 0, elapsedSeconds > 0 else { return nil }
        return Double(analysedThisRun) / elapsedSeconds * 60
    }

    /// Seconds left at the current rate.
    public var etaSeconds: Double? {
        guard let rate = videosPerMinute else { return nil }
        return Double(total - done) / rate * 60
    }

    /// `[#####-----] 12/40  3.2 videos/min  ETA 8m40s  clip.mp4`, at most `width` characters.
    public func bar(width: Int = 100, barCells: Int = 24) -> String {
        let filled = total == 0 ? barCells : min(barCells, done * barCells / total)
        var text = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barCells - filled) + "]"
        text += " \(done)/\(total)"
        if let rate = videosPerMinute { text += "  " + String(format: "%.1f", rate) + " videos/min" }
        if let eta = etaSeconds { text += "  ETA " + Self.duration(eta) }
        if let current {
            let name = current.split(separator: "/").last.map(String.init) ?? current
            text += "  " + name.replacingOccurrences(of: "\n", with: " ")
        }
        return text.count > width ? String(text.prefix(max(width - 1, 0))) + "…" : text
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole >= 3600 { return "\(whole / 3600)h\(String(format: "%02d", whole % 3600 / 60))m" }
        if whole >= 60 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole)s"
    }

    /// A plain log line for one finished video.
    public static func log(_ row: VideoRow, done: Int, total: Int) -> String {
        let score = row.pFake.map { String(format: "%.3f", $0) } ?? "-"
        var text = "[\(done)/\(total)] \(row.status.rawValue) \(row.verdict.rawValue) \(score) \(row.path)"
        if let error = row.error { text += " — \(error)" }
        return text.replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Progress for people: a redrawn bar on a terminal, plain log lines otherwise (CI logs,
/// redirected output). Writes to standard error unless given another sink.
public final class StandardErrorProgress: ScanProgress, @unchecked Sendable {
    // `lock` guards the mutable state below; writes happen under it too, so lines never interleave.
    private let lock = NSLock()
    private let isTerminal: Bool
    private let sink: @Sendable (String) -> Void
    private let startedAt = ContinuousClock.now
    private var analysed = 0
    private var current: String?
    private var lastLine = ProgressLine(done: 0, total: 0, analysedThisRun: 0, elapsedSeconds: 0, current: nil)

    public init(
        isTerminal: Bool = isatty(STDERR_FILENO) == 1,
        sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.isTerminal = isTerminal
        self.sink = sink
    }

    public func started(total: Int, alreadyDone: Int) {
        locked {
            lastLine.total = total
            lastLine.done = alreadyDone
            if !isTerminal || alreadyDone > 0 {
                emitLine("scanning \(total) file\(total == 1 ? "" : "s")" + (alreadyDone > 0 ? ", \(alreadyDone) already done" : ""))
            }
            redraw()
        }
    }

    public func began(path: String) {
        locked {
            current = path
            redraw()
        }
    }

    public func finished(_ row: VideoRow, done: Int, total: Int) {
        locked {
            analysed += 1
            lastLine.done = done
            lastLine.total = total
            if !isTerminal { emitLine(ProgressLine.log(row, done: done, total: total)) } else if row.status == .error {
                emitLine(ProgressLine.log(row, done: done, total: total))
            }
            redraw()
        }
    }

    public func warning(_ message: String) {
        locked { emitLine("warning: " + message) }
    }

    public func ended(interrupted: Bool) {
        locked {
            if isTerminal { write("\r\u{1B}[K") }
            if interrupted { emitLine("interrupted: finished videos are stored; run again to resume") }
        }
    }

    private func locked(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body()
    }

    private func redraw() {
        guard isTerminal else { return }
        lastLine.analysedThisRun = analysed
        lastLine.elapsedSeconds = startedAt.duration(to: .now).seconds
        lastLine.current = current
        write("\r\u{1B}[K" + lastLine.bar())
    }

    private func emitLine(_ text: String) {
        write((isTerminal ? "\r\u{1B}[K" : "") + text + "\n")
    }

    private func write(_ text: String) {
        sink(text)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
