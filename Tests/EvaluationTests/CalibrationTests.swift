import Testing
@testable import Evaluation

@Suite struct CalibrationTests {
    @Test func binsAndExpectedCalibrationError() throws {
        let diagram = ReliabilityDiagram([
            .real(0.02), .real(0.08),             // bin 0: mean 0.05, fake rate 0  → gap 0.05
            .fake(0.25), .real(0.25),             // bin 2: mean 0.25, fake rate ½  → gap 0.25
            .fake(1.0), .fake(0.9), .real(0.95),  // bin 9 (0.9 is its lower edge, 1 included): mean 0.95, rate ⅔
        ])
        // ECE = (2·0.05 + 2·0.25 + 3·|0.95 − ⅔|) / 7 = (0.1 + 0.5 + 0.85) / 7 = 1.45 / 7 ≈ 0.207143
        #expect(abs(try #require(diagram.expectedCalibrationError) - 1.45 / 7) < 1e-12)
        #expect(diagram.bins.map(\.count) == [2, 0, 2, 0, 0, 0, 0, 0, 0, 3])
        #expect(abs(try #require(diagram.bins[0].meanPFake) - 0.05) < 1e-12)
        #expect(diagram.bins[0].observedFakeRate == 0)
        #expect(diagram.bins[2].observedFakeRate == 0.5)
        #expect(abs(try #require(diagram.bins[9].observedFakeRate) - 2.0 / 3) < 1e-12)
        #expect(diagram.bins[1].meanPFake == nil && diagram.bins[1].observedFakeRate == nil)
        #expect(abs(diagram.bins[3].lower - 0.3) < 1e-12 && abs(diagram.bins[3].upper - 0.4) < 1e-12)
    }

    @Test func noSamplesNoError() {
        let diagram = ReliabilityDiagram([])
        #expect(diagram.expectedCalibrationError == nil)
        #expect(diagram.bins.count == 10 && diagram.bins.allSatisfy { $0.count == 0 })
    }

    @Test func realsFlaggedAtTheThresholdIsStatedPlainly() {
        // Threshold 0.6: reals 0.7 and 0.6 are at or above it (called fake), 0.2 is not → 2 of 3.
        let summary = MetricSummary([.real(0.2), .real(0.7), .real(0.6), .fake(0.9)], threshold: 0.6)
        #expect(abs(summary.falsePositiveRate! - 2.0 / 3) < 1e-12)
        let text = EvaluationReport.summaryLines(title: "Video level", unit: "videos", summary, thresholdNote: "given")
        #expect(text.contains("  reals flagged fake  2 of 3 (66.7 %) at threshold 0.6000"))
        #expect(MetricSummary([.fake(0.9)], threshold: 0.5).falsePositiveRate == nil)
    }
}
