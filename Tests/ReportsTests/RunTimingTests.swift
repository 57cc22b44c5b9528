import Testing
import Reports

@Suite struct RunTimingTests {
    static let stages = StageTimes(decodeSeconds: 10.72, facesSeconds: 21.69, modelSeconds: 2.26, otherSeconds: 0.04)

    @Test func stagesAddUpAndTheSlowestIsNamed() {
        #expect(abs(Self.stages.totalSeconds - 34.71) < 1e-9)
        #expect(Self.stages.slowest.name == "faces")
        #expect(Self.stages.slowest.seconds == 21.69)
        let twice = Self.stages + Self.stages
        #expect(twice.decodeSeconds == 21.44 && twice.modelSeconds == 4.52 && twice.otherSeconds == 0.08)
        #expect(StageTimes().text == "decode 0.0 s (0%), faces 0.0 s (0%), model 0.0 s (0%), other 0.0 s (0%)")
    }

    @Test func textGivesRateOverlapAndShares() {
        let timing = RunTiming(videosAnalysed: 19, wallSeconds: 24.0, stages: Self.stages)
        #expect(abs(timing.videosPerMinute! - 47.5) < 1e-9)
        #expect(abs(timing.wallOverSlowestStage! - 24.0 / 21.69) < 1e-12)
        #expect(timing.text == """
            Time:     19 videos analysed in 24.0 s (47.5 videos/min); wall 1.11× the slowest stage (faces)
            Stages:   decode 10.7 s (31%), faces 21.7 s (62%), model 2.3 s (7%), other 0.0 s (0%) (summed over videos)

            """)
    }

    @Test func theSummaryEndsWithTheTimingWhenThereIsOne() {
        let timing = RunTiming(videosAnalysed: 1, wallSeconds: 2, stages: StageTimes(decodeSeconds: 1))
        #expect(!RunSummary(rows: []).text.contains("Stages:"))
        let text = RunSummary(rows: [], timing: timing).text
        #expect(text.hasSuffix("Time:     1 video analysed in 2.0 s (30.0 videos/min); wall 2.00× the slowest stage (decode)\n"
            + "Stages:   decode 1.0 s (100%), faces 0.0 s (0%), model 0.0 s (0%), other 0.0 s (0%) (summed over videos)\n"))
    }
}
