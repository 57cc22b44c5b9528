import Imaging
import Testing
@testable import Evaluation

/// The bootstrap's generator, quantile and interval on inputs small enough to reason about.
@Suite struct BootstrapTests {
    @Test func generatorIsSplitMix64() {
        // Reference outputs of SplitMix64 from seed 0 (Vigna's splitmix64.c).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func indexIsTheHighWordOfTheProduct() {
        // ⌊x·10 / 2⁶⁴⌋ for the three outputs above: 0xE2…/2⁶⁴ ≈ 0.883 → 8; 0x6E…≈ 0.432 → 4; 0x06…≈ 0.026 → 0.
        var generator = SplitMix64(seed: 0)
        #expect([generator.index(below: 10), generator.index(below: 10), generator.index(below: 10)] == [8, 4, 0])
    }

    @Test func quantileInterpolatesBetweenRanks() {
        // n = 5: q = 0.025 → position 0.1 → 0 + 0.1·(1 − 0) = 0.1; q = 0.975 → position 3.9 → 3.9.
        let values = [0.0, 1, 2, 3, 4]
        #expect(abs(Bootstrap.quantile(sorted: values, 0.025) - 0.1) < 1e-12)
        #expect(abs(Bootstrap.quantile(sorted: values, 0.975) - 3.9) < 1e-12)
        // n = 2, q = 0.5 → position 0.5 → halfway between 0.2 and 0.6.
        #expect(abs(Bootstrap.quantile(sorted: [0.2, 0.6], 0.5) - 0.4) < 1e-12)
        #expect(Bootstrap.quantile(sorted: [0.7], 0.975) == 0.7)
    }

    @Test func separatedClassesGiveAPointInterval() throws {
        // Every fake is above every real, so every stratified resample has AUC 1.
        let samples: [LabelledScore] = [.fake(0.9), .fake(0.8), .real(0.3), .real(0.1)]
        let interval = try Bootstrap.aucInterval(samples, resamples: 500, seed: 3)
        #expect(interval == BootstrapInterval(lower: 1, upper: 1, resamples: 500, seed: 3))
    }

    @Test func stratifiedResamplesKeepBothClasses() throws {
        // One fake and one real: each class is drawn from itself, so every resample is that pair
        // (fake 0.4 below real 0.6: AUC 0). Unstratified draws would often hold one class only.
        let interval = try Bootstrap.aucInterval([.fake(0.4), .real(0.6)], resamples: 200, seed: 1)
        #expect(interval.lower == 0 && interval.upper == 0)
    }

    @Test func intervalSpansTheResampledAUCs() throws {
        // Fake 0.5, reals 0.2 and 0.8. A resample draws two reals: {.2,.2} → AUC 1 (p ¼),
        // {.2,.8} either order → ½ (p ½), {.8,.8} → 0 (p ¼). Of 1000 resamples ≈ 250 are 0 and ≈ 250
        // are 1, so the 2.5 % quantile (position 24.975) is 0 and the 97.5 % (974.025) is 1.
        let samples: [LabelledScore] = [.fake(0.5), .real(0.2), .real(0.8)]
        let interval = try Bootstrap.aucInterval(samples, resamples: 1000, seed: 42)
        #expect(interval.lower == 0 && interval.upper == 1)
    }

    @Test func sameSeedSameInterval() throws {
        let samples: [LabelledScore] = [.fake(0.9), .fake(0.4), .fake(0.6), .real(0.5), .real(0.3), .real(0.7)]
        let first = try Bootstrap.aucInterval(samples, resamples: 300, seed: 9)
        #expect(try Bootstrap.aucInterval(samples, resamples: 300, seed: 9) == first)
        #expect(first.lower <= first.upper && first.lower >= 0 && first.upper <= 1)
    }

    @Test func oneClassHasNoInterval() {
        #expect(throws: MetricError.needsBothClasses(fakes: 2, reals: 0)) {
            try Bootstrap.aucInterval([.fake(0.9), .fake(0.1)], resamples: 10, seed: 0)
        }
    }
}
