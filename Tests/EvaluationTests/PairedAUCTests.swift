import Testing
@testable import Evaluation

@Suite struct PairedAUCTests {
    @Test func countsPairsWithinGroupsOnly() throws {
        let samples: [(score: LabelledScore, group: String)] = [
            (.fake(0.9), "A"), (.fake(0.4), "A"), (.real(0.5), "A"),  // .9 > .5: 1; .4 < .5: 0
            (.fake(0.6), "B"), (.real(0.6), "B"), (.real(0.3), "B"),  // tie: ½; .6 > .3: 1
            (.fake(0.1), "C"),                                        // no real: no pair
            (.fake(0.0), ""), (.real(1.0), ""),                       // unpaired: ignored
        ]
        // (1 + 0 + ½ + 1) / 4 pairs = 2.5 / 4 = 0.625, from groups A and B.
        let paired = try #require(PairedAUC.compute(column: "group", samples))
        #expect(paired == PairedAUC(column: "group", auc: 0.625, pairs: 4, groups: 2))
    }

    @Test func noGroupWithBothClassesGivesNothing() {
        #expect(PairedAUC.compute(column: "group", [(.fake(0.9), "A"), (.real(0.1), "B"), (.real(0.2), "")]) == nil)
    }
}
