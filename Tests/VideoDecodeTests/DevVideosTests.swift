import Foundation
import Testing
@testable import VideoDecode

/// Probe and exact sampling on the real clips of ../shared/data/dev-videos, when present.
extension VideoDecodeSuites {
    @Suite struct DevVideosTests {
        static let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/dev-videos").path

        static let clips: [String] = {
            guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
            let extensions: Set<String> = ["mp4", "mov", "mkv", "webm", "avi"]
            return walker.compactMap { $0 as? String }
                .filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
                .sorted()
        }()

        @Test(.enabled(if: !clips.isEmpty, "../shared/data/dev-videos is absent"), arguments: clips)
        func probeAndSampleEqualFFmpeg(clip: String) throws {
            let path = Self.folder + "/" + clip
            let reader = try VideoReader(path: path)
            let info = reader.info
            #expect(info.frameCount > 0 && info.width > 0 && info.height > 0 && (info.durationSeconds ?? 0) > 0)
            let (frames, outcome) = reader.frames(.evenly(count: 4))
            #expect(outcome.succeeded, "\(clip): \(String(describing: outcome.error))")
            #expect(frames.allSatisfy { $0.image.width == info.width && $0.image.height == info.height })
            // Pixels against ffmpeg for the first two (it then stops at a third of the clip).
            let checked = frames.prefix(2)
            let reference = try FFmpegTool.referenceFrames(path, indices: checked.map(\.index))
            let ours = checked.reduce(into: Data()) { $0.append(contentsOf: $1.image.pixels) }
            #expect(ours == reference, "\(clip): RGB differs from ffmpeg at \(checked.map(\.index))")
        }
    }
}
