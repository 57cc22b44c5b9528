import Foundation
import Aggregate
import Detectors
import Reports

/// Settings of one scan run that are not about the model's result.
public struct ScanOptions: Sendable {
    public var configuration: RunConfiguration
    /// Videos analysed at the same time.
    public var jobs: Int
    /// Per-video limit; nil for none.
    public var timeoutSeconds: Double?
    /// Forget stored results of this configuration first (`--rescan`).
    public var rescan: Bool
    /// Keep every face row in `ScanResult.faces`. Off for large runs with a store, where the
    /// faces are read back from the store instead of piling up in memory.
    public var collectFaces: Bool
    /// Folder for the mask overlays of each video's most suspicious crops (`scan --masks`).
    public var masksDirectory: String?
    /// Folder for the attention-map overlays of each video's most suspicious crops (`scan --attention`).
    public var attentionDirectory: String?

    public init(
        configuration: RunConfiguration, jobs: Int = 1, timeoutSeconds: Double? = 300, rescan: Bool = false,
        collectFaces: Bool = true, masksDirectory: String? = nil, attentionDirectory: String? = nil
    ) {
        precondition(jobs >= 1, "jobs must be at least 1")
        self.configuration = configuration
        self.jobs = jobs
        self.timeoutSeconds = timeoutSeconds
        self.rescan = rescan
        self.collectFaces = collectFaces
        self.masksDirectory = masksDirectory
        self.attentionDirectory = attentionDirectory
    }
}

/// How a run ended, and the process exit code it maps to (DESIGN.md).
public enum ScanOutcome: Sendable, Equatable {
    case completed
    case completedWithErrors
    case interrupted

    public var exitCode: Int32 {
        switch self {
        case .completed: return 0
        case .completedWithErrors: return 1
        case .interrupted: return 3
        }
    }
}

/// The rows of a run, in discovery order, with their faces.
public struct ScanResult: Sendable {
    public var rows: [VideoRow]
    /// Face rows of every row, in the same order (empty unless `ScanOptions.collectFaces`).
    public var faces: [FaceRow]
    public var outcome: ScanOutcome
    /// Videos taken from the store instead of being analysed again.
    public var reused: Int
    /// The rows not taken from the store (analysed tonight, or problems found tonight), and
    /// those taken from it that an interrupted run stored after the last finished one, in the
    /// order of `rows`: what a nightly run adds.
    public var newRows: [VideoRow] = []
    /// Videos analysed (or failed) in this run.
    public var analysed: Int
    /// Items not reached because the run was stopped.
    public var notReached: Int
    /// Speed and per-stage time of the videos analysed in this run.
    public var timing: RunTiming
    /// Warnings already shown through the progress (a damaged store, invalid stored rows).
    public var warnings: [String] = []

    public var summary: RunSummary { RunSummary(rows: rows, timing: analysed > 0 ? timing : nil) }
}

/// Runs the analyzer over discovered items with bounded concurrency, commits each finished
/// video to the store, and returns the rows in discovery order whatever order they finished in.
///
/// On a stop request (signal or task cancellation) it starts nothing new, gives up the videos
/// in flight at once (they stop at their next frame; a resume redoes them), and returns
/// `.interrupted` with the rows of the videos that finished, all of them committed.
public struct ScanRunner<Analyzer: VideoAnalyzer>: Sendable {
    public var analyzer: Analyzer
    public var store: ResultStore?
    public var options: ScanOptions
    public var progress: (any ScanProgress)?

    public init(analyzer: Analyzer, store: ResultStore?, options: ScanOptions, progress: (any ScanProgress)? = nil) {
        self.analyzer = analyzer
        self.store = store
        self.options = options
        self.progress = progress
    }

    public func run(_ items: [DiscoveredItem], stop: StopSignal = StopSignal()) async throws -> ScanResult {
        let fingerprint = options.configuration.fingerprint
        if options.rescan { try store?.clear(configuration: fingerprint) }
        // Keyed by exact bytes: "café" composed and decomposed are two files with two results.
        let (stored, invalid) = try store?.results(configuration: fingerprint) ?? ([:], [])
        var warnings: [String] = []
        if let store, !invalid.isEmpty {
            warnings.append("results store \(store.path): \(invalid.count) stored result\(invalid.count == 1 ? "" : "s") "
                + "with invalid values (first: \(invalid[0])) left out; scanning again")
        }
        for warning in warnings { progress?.warning(warning) }

        // Decide per item: a row now (problem, reused) or work to do.
        var rows = [VideoRow?](repeating: nil, count: items.count)
        var faces = [[FaceRow]](repeating: [], count: items.count)
        var work: [(index: Int, key: FileKey)] = []
        var reused = 0
        var fromStore = [Bool](repeating: false, count: items.count)
        // Stored rows that no finished run has reported yet (committed by an interrupted one)
        // are still new tonight.
        let lastCompleted = try store?.lastCompletedRun(configuration: fingerprint)
        var unreported = [Bool](repeating: false, count: items.count)
        for (index, item) in items.enumerated() {
            if let problem = item.problem {
                rows[index] = failure(item.path, problem)
                continue
            }
            guard let status = Discovery.status(of: PathText.bytes(of: item.path), followingLinks: true) else {
                rows[index] = failure(item.path, "cannot stat file (\(String(cString: strerror(errno))))")
                continue
            }
            // Replaced since discovery by a FIFO or device: opening it could block forever.
            guard (status.st_mode & S_IFMT) == S_IFREG else {
                rows[index] = failure(item.path, "not a regular file (\(Discovery.kind(of: status.st_mode)))")
                continue
            }
            let key = FileKey(path: item.path, status: status)
            if let result = stored[PathKey(item.path)], result.key == key, matchesConfiguration(result.row) {
                rows[index] = result.row
                fromStore[index] = true
                unreported[index] = lastCompleted.map { result.finishedAt > $0 } ?? true
                if options.collectFaces {
                    faces[index] = try store?.faces(path: item.path, configuration: fingerprint) ?? []
                }
                reused += 1
            } else {
                work.append((index, key))
            }
        }

        var done = items.count - work.count
        progress?.started(total: items.count, alreadyDone: done)
        var next = 0
        var analysed = 0
        var cancelledInFlight = 0
        var stageTimes = StageTimes()
        let clock = ContinuousClock()
        let started = clock.now
        await withTaskGroup(of: FinishedVideo?.self) { group in
            func startNext() -> Bool {
                guard next < work.count, !stop.isRequested, !Task.isCancelled else { return false }
                let (index, key) = work[next]
                next += 1
                let path = items[index].path
                progress?.began(path: path)
                group.addTask { await self.process(path: path, key: key, fingerprint: fingerprint, index: index, stop: stop) }
                return true
            }
            for _ in 0..<options.jobs where !startNext() { break }
            while let finishedVideo = await group.next() {
                guard let finishedVideo else {
                    cancelledInFlight += 1
                    continue
                }
                let row = finishedVideo.row
                rows[finishedVideo.index] = row
                if options.collectFaces { faces[finishedVideo.index] = finishedVideo.faces }
                stageTimes += finishedVideo.stageTimes
                done += 1
                if finishedVideo.takenOver { reused += 1 } else { analysed += 1 }
                fromStore[finishedVideo.index] = finishedVideo.takenOver
                progress?.finished(row, done: done, total: items.count)
                _ = startNext()
            }
        }
        let timing = RunTiming(videosAnalysed: analysed, wallSeconds: started.duration(to: clock.now).seconds, stages: stageTimes)
        let interrupted = next < work.count || cancelledInFlight > 0
        progress?.ended(interrupted: interrupted)

        let finished = rows.compactMap { $0 }
        let outcome: ScanOutcome = interrupted ? .interrupted
            : finished.contains { $0.status == .error } ? .completedWithErrors : .completed
        var result = ScanResult(
            rows: finished, faces: zip(rows, faces).flatMap { $0.0 == nil ? [] : $0.1 }, outcome: outcome,
            reused: reused, analysed: analysed, notReached: work.count - next + cancelledInFlight, timing: timing,
            warnings: warnings)
        result.newRows = rows.indices.compactMap { fromStore[$0] && !unreported[$0] ? nil : rows[$0] }
        if outcome != .interrupted, let store {
            do {
                try store.recordCompletedRun(configuration: fingerprint)
            } catch {
                let warning = "results store \(store.path): the run's end not recorded (\(Self.message(error))): "
                    + "the next new-rows CSV may repeat some of tonight's rows"
                progress?.warning(warning)
                result.warnings.append(warning)
            }
        }
        return result
    }

    /// One video's outcome as the run collects it.
    private struct FinishedVideo: Sendable {
        var index: Int
        var row: VideoRow
        var faces: [FaceRow]
        var stageTimes: StageTimes
        /// The stored result of the same content under another name, not an analysis.
        var takenOver = false
    }

    /// Analyses one video and commits it. Never throws: every failure becomes an error row,
    /// except that the run's own cancellation or stop gives nil (not a result; left for the resume).
    private func process(path: String, key: FileKey, fingerprint: String, index: Int, stop: StopSignal) async -> FinishedVideo? {
        let clock = ContinuousClock()
        let start = clock.now
        var row: VideoRow
        var faceRows: [FaceRow] = []
        // Aggregating and storing count as the video's "other" time, and so does all of a
        // failed analysis, whose stages are unknown.
        var stageTimes = StageTimes()
        var analysedAt = start
        // A timeout is not the video's result: not stored, so the next run tries it again.
        var timedOut = false
        var contentSHA256: String?
        let limit = options.timeoutSeconds
        do {
            // The hash is taken before the analysis, so it describes the bytes that were
            // analysed. It reads the whole file: under the same time limit and stop as the
            // analysis, or a multi-gigabyte file would hold up a Ctrl-C and overrun --timeout.
            contentSHA256 = store == nil ? nil
                : try await withTimeout(seconds: limit, stop: stop) { await ContentHash.sha256OnOwnThread(ofFileAt: path) }
            if let contentSHA256,
               let earlier = takeOver(path: path, key: key, contentSHA256: contentSHA256, fingerprint: fingerprint) {
                return FinishedVideo(index: index, row: earlier.row, faces: earlier.faces, stageTimes: StageTimes(), takenOver: true)
            }
            let analyzer = self.analyzer
            let left = limit.map { $0 - start.duration(to: clock.now).seconds }  // after the hash
            if let left, left <= 0 { throw PipelineError.timedOut(seconds: left) }
            let video = try await withTimeout(seconds: left, stop: stop) { try await analyzer.analyze(path: path) }
            analysedAt = clock.now
            stageTimes = video.stageTimes
            (row, faceRows) = try makeRow(path: path, video: video)
        } catch PipelineError.stopped {
            return nil
        } catch PipelineError.timedOut {
            timedOut = true
            row = failure(path, Self.message(PipelineError.timedOut(seconds: limit ?? 0)))  // the limit, not what was left
        } catch {
            row = failure(path, Self.message(error))
        }
        row.elapsedSeconds = start.duration(to: clock.now).seconds
        if Task.isCancelled && row.status == .error { return nil }
        // A file still being written was scored on its first part: an error now, and not
        // stored, so the next run scans it again.
        let changed = FileKey.current(path: path) != key
        if changed {
            row = failure(path, Self.changedWhileScanned)
            row.elapsedSeconds = start.duration(to: clock.now).seconds
            faceRows = []
        }
        if let store, !changed, !timedOut {
            do {
                try store.commit(key: key, configuration: fingerprint, row: row, faces: faceRows, contentSHA256: contentSHA256)
            } catch {
                row = failure(path, "analysed but not stored: \(Self.message(error))")
                row.elapsedSeconds = start.duration(to: clock.now).seconds
            }
        }
        stageTimes.otherSeconds += analysedAt.duration(to: clock.now).seconds
        return FinishedVideo(index: index, row: row, faces: faceRows, stageTimes: stageTimes)
    }

    /// The stored result of the same bytes under another name (a renamed or copied video),
    /// committed under this path too; nil when there is none or the file changed meanwhile.
    private func takeOver(path: String, key: FileKey, contentSHA256: String, fingerprint: String) -> (row: VideoRow, faces: [FaceRow])? {
        guard let store,
              let earlier = try? store.result(contentSHA256: contentSHA256, size: key.size, configuration: fingerprint,
                                              otherThan: path),
              matchesConfiguration(earlier.row), FileKey.current(path: path) == key
        else { return nil }
        var row = earlier.row
        row.path = path
        let faces = earlier.faces.map { face -> FaceRow in
            var moved = face
            moved.video = path
            return moved
        }
        guard (try? store.commit(key: key, configuration: fingerprint, row: row, faces: faces, contentSHA256: contentSHA256)) != nil
        else { return nil }
        return (row, faces)
    }

    private func makeRow(path: String, video: AnalyzedVideo) throws -> (VideoRow, [FaceRow]) {
        let configuration = options.configuration
        var verdict: VideoVerdict
        var perModel: [ModelScore] = []
        if configuration.models.count > 1 {
            let outcome = try ModelSetVerdicts.verdicts(video.faces, configuration: configuration)
            verdict = outcome.main
            perModel = outcome.perModel
        } else {
            verdict = try Aggregation.video(
                video.faces.map(\.score), aggregator: configuration.aggregator, threshold: configuration.threshold)
        }
        var row = VideoRow(
            path: path, status: verdict.pFake == nil ? .noFace : .ok, pFake: verdict.pFake,
            verdict: verdict.verdict, threshold: configuration.threshold, model: configuration.model,
            aggregator: configuration.aggregator.rawValue, framesSampled: video.framesSampled,
            framesWithFace: video.framesWithFace, faceTracks: verdict.tracks.count,
            durationSeconds: video.probe.durationSeconds, width: video.probe.width, height: video.probe.height,
            codec: video.probe.codec, error: video.probe.decodeWarning)
        row.models = perModel
        let classes = configuration.manipulationClasses ?? []
        if let guess = VideoManipulation.mostLikely(video.faces, track: verdict.worstTrackID, classes: classes) {
            row.manipulation = guess.name
            row.manipulationP = guess.probability
        }
        let overlays = try options.masksDirectory.map {
            try MaskOverlays.write(video.suspicious, video: path, into: $0)
        } ?? [:]
        let attention = try options.attentionDirectory.map {
            try AttentionOverlays.write(video.suspicious, video: path, into: $0)
        } ?? [:]
        let names = configuration.models.map(\.name)
        let faces = video.faces.map {
            FaceRow(video: path, frameIndex: $0.score.frameIndex, seconds: $0.score.seconds,
                    track: $0.score.trackID, box: $0.box, pFake: ModelSetVerdicts.facePFake($0, configuration: configuration),
                    maskFlagged: $0.mask?.flaggedFraction, maskMean: $0.mask?.meanProbability,
                    maskFile: overlays[FrameTrack(frameIndex: $0.score.frameIndex, trackID: $0.score.trackID)],
                    attentionFiles: attention[FrameTrack(frameIndex: $0.score.frameIndex, trackID: $0.score.trackID)],
                    pFakeByModel: names.count > 1 && $0.modelScores.count == names.count
                        ? Dictionary(uniqueKeysWithValues: zip(names, $0.modelScores)) : nil,
                    manipulationProbabilities: !classes.isEmpty && $0.classProbabilities.count == classes.count
                        ? Dictionary(uniqueKeysWithValues: zip(classes, $0.classProbabilities)) : nil)
        }
        return (row, faces)
    }


    static var changedWhileScanned: String {
        "file changed while it was scanned (still being written?)"
    }

    /// A stored row made under this run's model, aggregator and threshold (the fingerprint
    /// says so; a row that disagrees was edited, and is not reused).
    private func matchesConfiguration(_ row: VideoRow) -> Bool {
        let configuration = options.configuration
        return row.model == configuration.model && row.aggregator == configuration.aggregator.rawValue
            && row.threshold == configuration.threshold
            && (row.status == .error || row.models.map(\.model) == configuration.columnModels)
    }

    private func failure(_ path: String, _ message: String) -> VideoRow {
        let configuration = options.configuration
        return VideoRow.failure(
            path: path, message: message, threshold: configuration.threshold, model: configuration.model,
            aggregator: configuration.aggregator.rawValue)
    }

    static func message(_ error: Error) -> String {
        String(describing: error)
    }
}

/// The manipulation class a model with classes gives a whole video.
enum VideoManipulation {
    /// The most likely non-real class of the track that gave the video its score: its crops'
    /// mean class probabilities. Nil without classes, a scored track, or its crops' probabilities.
    static func mostLikely(_ faces: [ScoredFace], track: Int?, classes: [String]) -> (name: String, probability: Double)? {
        guard let track, !classes.isEmpty else { return nil }
        let crops = faces.filter { $0.score.trackID == track && $0.classProbabilities.count == classes.count }
        guard !crops.isEmpty else { return nil }
        let means = classes.indices.map { c in crops.reduce(0.0) { $0 + $1.classProbabilities[c] } / Double(crops.count) }
        return ManipulationClasses.mostLikelyManipulation(means, classes: classes)
    }
}
