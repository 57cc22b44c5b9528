import Testing
@testable import Aggregate

@Suite struct AggregatorTests {
    @Test func meanMedianMaxOfAKnownList() {
        let scores = [0.1, 0.9, 0.3, 0.5]
        #expect(abs(Aggregator.mean.score(scores, threshold: 0.5)! - 0.45) < 1e-12)
        #expect(abs(Aggregator.median.score(scores, threshold: 0.5)! - 0.4) < 1e-12)
        #expect(Aggregator.median.score([0.7, 0.2, 0.9], threshold: 0.5) == 0.7)
        #expect(Aggregator.max.score(scores, threshold: 0.5) == 0.9)
    }

    @Test func voteCountsFramesAtOrAboveTheThreshold() {
        let scores = [0.1, 0.5, 0.6, 0.2]
        #expect(Aggregator.vote.score(scores, threshold: 0.5) == 0.5)
        #expect(Aggregator.vote.score(scores, threshold: 0.55) == 0.25)
    }

    @Test func noScoresGiveNoScore() {
        for aggregator in Aggregator.allCases {
            #expect(aggregator.score([], threshold: 0.5) == nil)
        }
    }

    // The three branches of selimsef's rule with 32 frames: `32 // 2.5` = 12.
    @Test func confidentTakesTheMeanOfConfidentFakes() {
        let scores = Array(repeating: 0.9, count: 13) + Array(repeating: 0.5, count: 19)
        #expect(abs(Aggregator.confident.score(scores, threshold: 0.5)! - 0.9) < 1e-12)
    }

    @Test func confidentNeedsMoreThanFortyPercentConfidentFakes() {
        // 12 fakes: more than 11 but not more than 32 // 2.5 = 12 → plain mean.
        let scores = Array(repeating: 0.9, count: 12) + Array(repeating: 0.5, count: 20)
        let expected = (12 * 0.9 + 20 * 0.5) / 32
        #expect(abs(Aggregator.confident.score(scores, threshold: 0.5)! - expected) < 1e-12)
    }

    @Test func confidentNeedsMoreThanElevenConfidentFakes() {
        // 11 of 16 above 0.8 is over 40 %, but not more than 11 frames → not the fake branch.
        let scores = Array(repeating: 0.95, count: 11) + Array(repeating: 0.3, count: 5)
        let expected = (11 * 0.95 + 5 * 0.3) / 16
        #expect(abs(Aggregator.confident.score(scores, threshold: 0.5)! - expected) < 1e-12)
    }

    @Test func confidentTakesTheMeanOfConfidentRealsWhenOverNinetyPercent() {
        let scores = Array(repeating: 0.1, count: 30) + [0.7, 0.95]
        #expect(abs(Aggregator.confident.score(scores, threshold: 0.5)! - 0.1) < 1e-12)
        // 28 of 32 = 87.5 % below 0.2 is not enough → mean of all.
        let fewer = Array(repeating: 0.1, count: 28) + Array(repeating: 0.7, count: 4)
        let expected = (28 * 0.1 + 4 * 0.7) / 32
        #expect(abs(Aggregator.confident.score(fewer, threshold: 0.5)! - expected) < 1e-12)
    }

    @Test func parsesNamesCaseInsensitively() throws {
        #expect(try Aggregator(parsing: " Confident ") == .confident)
        #expect(try Aggregator(parsing: "VOTE") == .vote)
        #expect(throws: AggregateError.unknownAggregator("avg")) { try Aggregator(parsing: "avg") }
        #expect(Aggregator.default == .mean)
        #expect(Aggregator.allCases.map(\.rawValue) == ["mean", "median", "max", "confident", "vote"])
    }
}
