import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs another program from a test (ffmpeg for fixtures, the built `deepfake-scan`, a copy of
/// the test binary), the one way all test targets do it: both pipes are read at once, so a
/// child that writes much to one cannot block on the other, and a reader thread hands its
/// bytes over through a semaphore rather than being polled.
public enum ChildProcess {
    /// What happens to one of the child's output streams.
    public enum Stream: Sendable {
        /// Kept and returned.
        case capture
        /// Sent to /dev/null.
        case discard
    }

    /// A finished child.
    public struct Finished: Sendable {
        public var status: Int32
        public var reason: Process.TerminationReason
        public var stdout: Data
        public var stderr: Data

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
        /// Exited normally with status 0.
        public var succeeded: Bool { reason == .exit && status == 0 }
    }

    /// A child that exited otherwise than with status 0, with what it said on stderr.
    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var finished: Finished

        public var description: String {
            "\(command) failed (\(finished.reason == .exit ? "exit" : "signal") \(finished.status)): "
                + String(finished.stderrText.suffix(2000))
        }
    }

    /// Runs `executable arguments` to the end. A name without a slash is looked up on PATH.
    /// `environment`: variables set (a value) or removed (nil) on top of this process's.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
        directory: URL? = nil, stdout: Stream = .capture, stderr: Stream = .capture
    ) throws -> Finished {
        let child = try Running(executable, arguments, environment: environment, directory: directory,
                                stdout: stdout, stderr: stderr)
        return child.finish()
    }

    /// As `run`, but throws `Failure` unless the child succeeded; returns its stdout.
    @discardableResult
    public static func check(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], directory: URL? = nil
    ) throws -> Data {
        let finished = try run(executable, arguments, environment: environment, directory: directory)
        guard finished.succeeded else {
            throw Failure(command: ([executable] + arguments.prefix(6)).joined(separator: " "), finished: finished)
        }
        return finished.stdout
    }

    /// `ffmpeg -nostdin -y -loglevel error ARGUMENTS`; its stdout, or `Failure` with its stderr.
    @discardableResult
    public static func ffmpeg(_ arguments: [String]) throws -> Data {
        try check("ffmpeg", ["-nostdin", "-y", "-loglevel", "error"] + arguments)
    }

    /// True when `ffmpeg -version` runs.
    public static let hasFFmpeg: Bool = (try? ffmpeg(["-version"])) != nil

    /// A started child whose output is read while it runs: wait for a line of progress, then
    /// signal it. Killed (SIGKILL) and reaped on deinit if still running, so a failing test
    /// leaves no child behind.
    public final class Running {
        public let process = Process()
        private let stdoutReader: Reader?
        private let stderrReader: Reader?

        public init(
            _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
            directory: URL? = nil, stdout: Stream = .capture, stderr: Stream = .capture
        ) throws {
            if executable.contains("/") {
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
            } else {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [executable] + arguments
            }
            if !environment.isEmpty {
                var merged = ProcessInfo.processInfo.environment
                for (name, value) in environment { merged[name] = value }
                process.environment = merged
            }
            if let directory { process.currentDirectoryURL = directory }
            process.standardInput = FileHandle.nullDevice
            stdoutReader = stdout == .capture ? Reader() : nil
            stderrReader = stderr == .capture ? Reader() : nil
            process.standardOutput = stdoutReader?.pipe ?? FileHandle.nullDevice
            process.standardError = stderrReader?.pipe ?? FileHandle.nullDevice
            try process.run()
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        public var pid: Int32 { process.processIdentifier }

        /// Reads stdout (or stderr) as it comes until `done` holds for all read so far, or the
        /// stream ends; returns what was read so far. The other stream is read in the background.
        public func read(_ stream: StreamName, until done: (String) -> Bool) -> String {
            guard let reader = stream == .stdout ? stdoutReader : stderrReader else { return "" }
            (stream == .stdout ? stderrReader : stdoutReader)?.drainInBackground()
            return reader.read(until: done)
        }

        public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

        /// Reads both streams to their end and waits for the child.
        public func finish() -> Finished {
            stderrReader?.drainInBackground()
            let stdout = stdoutReader?.readToEnd() ?? Data()
            let stderr = stderrReader?.readToEnd() ?? Data()
            process.waitUntilExit()
            return Finished(status: process.terminationStatus, reason: process.terminationReason,
                            stdout: stdout, stderr: stderr)
        }
    }

    public enum StreamName: Sendable { case stdout, stderr }

    /// One pipe of the child: read on the caller's thread bit by bit, or drained to the end on
    /// a thread of its own, whose bytes the semaphore hands over.
    private final class Reader: @unchecked Sendable {
        let pipe = Pipe()
        // Written by the draining thread before `drained` is signalled, read after waiting on it.
        private var data = Data()
        private var draining = false
        private let drained = DispatchSemaphore(value: 0)

        func read(until done: (String) -> Bool) -> String {
            while !done(String(decoding: data, as: UTF8.self)) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data += chunk
            }
            return String(decoding: data, as: UTF8.self)
        }

        func drainInBackground() {
            guard !draining else { return }
            draining = true
            Thread.detachNewThread { [self] in
                data += pipe.fileHandleForReading.readDataToEndOfFile()
                drained.signal()
            }
        }

        func readToEnd() -> Data {
            drainInBackground()
            drained.wait()
            drained.signal()  // a second call returns at once
            return data
        }
    }
}
