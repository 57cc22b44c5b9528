import Foundation
import Imaging
import Testing
@testable import VideoDecode

/// Inputs `make fuzz` (fuzz-decode, docs/fuzzing.md) found to trap, kept so they never do again.
@Suite struct FuzzRegressionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")

    /// A mutated H.264 MP4 whose decoded frame carries a presentation time near −2^63:
    /// `secondsSinceStart` multiplied the tick difference by the time base and overflowed
    /// (Swift runtime trap, SIGILL/SIGTRAP) while sampling keyframes.
    @Test func presentationTimeNearTheInt64LimitDoesNotTrap() throws {
        let path = Self.fixtures.appendingPathComponent("decode-pts-overflow.bin").path
        let reader = try VideoReader(path: path, decodeThreads: 1)
        for sampling in [FrameSampling.keyframes, .evenly(count: 3), .everySeconds(0.5)] {
            let (frames, _) = reader.frames(sampling)
            #expect(frames.allSatisfy { !$0.seconds.isNaN })
        }
    }

    /// Timestamps spanning 2^64 ticks: `--fps` sampling computed `first + Int64(offset)`
    /// (trap on overflow) and stepped once per interval across the whole span (a hang).
    @Test func everySecondsOverAHostileSpanEnds() {
        let table = FrameTable(presentationTimes: [.min + 1, -1, 0, .max - 1], keyframes: [(.min + 1, .min + 1)])
        for (interval, secondsPerTick) in [(0.5, 1 / 90_000.0), (1e300, 1e-300), (1e-300, 1e300), (0.04, 1e-9)] {
            let targets = FrameSampling.everySeconds(interval).targets(in: table, secondsPerTick: secondsPerTick)
            #expect(targets.first == 0 && targets == Array(Set(targets)).sorted() && targets.allSatisfy { (0..<4).contains($0) })
        }
    }

    /// Skipping the steps that land on an already chosen frame changes nothing on ordinary
    /// tables: the same targets as stepping one interval at a time (the loop before the fix).
    @Test func everySecondsPicksWhatSteppingOneIntervalAtATimePicks() {
        func stepping(_ table: FrameTable, _ interval: Double, _ secondsPerTick: Double) -> [Int] {
            let first = table.presentationTimes[0], last = table.presentationTimes[table.count - 1]
            var indices: [Int] = [], step = 0.0
            while true {
                let time = first + Int64((step * interval / secondsPerTick).rounded())
                if time > last { break }
                let index = table.index(atOrBefore: time)
                if indices.last != index { indices.append(index) }
                step += 1
            }
            return indices
        }
        var generator = SplitMix64(seed: 16)
        for round in 0..<100 {
            var time = Int64(generator.next() % 1000) - 500
            let times = (0..<(1 + Int(generator.next() % 300))).map { _ in
                defer { time += 1 + Int64(generator.next() % (round % 2 == 0 ? 40 : 4000)) }  // CFR-ish and VFR
                return time
            }
            let table = FrameTable(presentationTimes: times, keyframes: [(times[0], times[0])])
            for interval in [0.04, 0.333, 0.5, 2, 1000] {
                let secondsPerTick = [1 / 1000.0, 1 / 90_000.0, 1 / 12_800.0][round % 3]
                #expect(FrameSampling.everySeconds(interval).targets(in: table, secondsPerTick: secondsPerTick)
                        == stepping(table, interval, secondsPerTick), "round \(round), interval \(interval)")
            }
        }
    }
}

