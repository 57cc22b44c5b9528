import Foundation
import Reports

/// Writes the HTML report of finished rows (`scan --html`, `deepfake-scan report`): fetches
/// each video's faces and thumbnails, `jobs` videos at a time on threads of their own (the
/// decoding is blocking C work), and hands them to `HTMLReportWriter` in report order.
public struct HTMLReportJob: Sendable {
    public var path: String
    public var run: HTMLReportRun
    /// nil: no face pictures (plots and scores only).
    public var thumbnails: FaceThumbnails?
    public var jobs: Int
    public var settings: HTMLReportWriter.Settings

    public init(path: String, run: HTMLReportRun, thumbnails: FaceThumbnails?, jobs: Int = 1,
                settings: HTMLReportWriter.Settings = .init()) {
        precondition(jobs >= 1, "jobs must be at least 1")
        self.path = path
        self.run = run
        self.thumbnails = thumbnails
        self.jobs = jobs
        self.settings = settings
    }

    /// `faces` gives the JSONL rows of a video by its path (called from several threads).
    @discardableResult
    public func write(rows: [VideoRow], faces: @escaping @Sendable (String) throws -> [FaceRow]) async throws -> HTMLReportWriter.Files {
        let writer = try HTMLReportWriter(url: URL(fileURLWithPath: path), run: run, rows: rows, settings: settings)
        let ordered = writer.orderedRows
        let thumbnails = self.thumbnails
        try await withThrowingTaskGroup(of: (Int, VideoEvidence).self) { group in
            var next = 0
            var emitted = 0
            var ready: [Int: VideoEvidence] = [:]
            func startNext() {
                let index = next, row = ordered[index]
                next += 1
                group.addTask { (index, try await Self.evidence(row, faces: faces, thumbnails: thumbnails)) }
            }
            while next < min(jobs, ordered.count) { startNext() }
            while let (index, evidence) = try await group.next() {
                ready[index] = evidence
                while let evidence = ready.removeValue(forKey: emitted) {
                    try writer.add(evidence)
                    emitted += 1
                }
                if next < ordered.count { startNext() }
            }
        }
        return try writer.finish()
    }

    private static func evidence(_ row: VideoRow, faces: @escaping @Sendable (String) throws -> [FaceRow],
                                 thumbnails: FaceThumbnails?) async throws -> VideoEvidence {
        guard row.status == .ok else { return VideoEvidence() }
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let found = try faces(row.path)
                    guard let thumbnails else {
                        return VideoEvidence(faces: found, thumbnailNote: found.isEmpty ? nil : "Face pictures were not asked for.")
                    }
                    return thumbnails.evidence(path: row.path, faces: found)
                })
            }
        }
    }
}
