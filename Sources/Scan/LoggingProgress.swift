import Foundation
import Logging
import Reports

/// Progress as log events (`--log-format json`, or text at `--log-level warning` and above):
/// one event when the run starts and ends, one per finished video with its status, score,
/// verdict and duration, and the run's warnings; every event carries the run id.
public struct LoggingProgress: ScanProgress {
    public let logger: Logger

    public init(logger: Logger, runID: String = UUID().uuidString.lowercased()) {
        var logger = logger
        logger[metadataKey: "run_id"] = .string(runID)
        self.logger = logger
    }

    public func started(total: Int, alreadyDone: Int) {
        logger.info("run started", metadata: ["videos": .stringConvertible(total), "already_done": .stringConvertible(alreadyDone)])
    }

    public func began(path: String) {
        logger.debug("video started", metadata: ["file": .string(path), "stage": "analysis"])
    }

    public func finished(_ row: VideoRow, done: Int, total: Int) {
        var metadata: Logger.Metadata = [
            "file": .string(row.path), "status": .string(row.status.rawValue), "verdict": .string(row.verdict.rawValue),
            "duration_s": .stringConvertible(row.elapsedSeconds), "done": .stringConvertible(done),
            "total": .stringConvertible(total),
        ]
        if let pFake = row.pFake { metadata["p_fake"] = .stringConvertible(pFake) }
        if let error = row.error { metadata["error"] = .string(error) }
        if row.status == .error {
            logger.warning("video failed", metadata: metadata)
        } else {
            logger.info("video finished", metadata: metadata)
        }
    }

    public func ended(interrupted: Bool) {
        logger.info("run ended", metadata: ["interrupted": .stringConvertible(interrupted)])
    }

    public func warning(_ message: String) {
        logger.warning("\(message)")
    }
}
