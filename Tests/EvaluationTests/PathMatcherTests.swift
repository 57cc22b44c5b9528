import Testing
@testable import Evaluation

@Suite struct PathMatcherTests {
    func pairs(_ result: PathMatcher.Result) -> [[Int]] { result.pairs.map { [$0.label, $0.score] } }

    @Test func exactPathsPairFirst() {
        let result = PathMatcher.match(labels: ["a/x.mp4", "./b/y.mp4"], scores: ["b/y.mp4", "a/x.mp4"])
        #expect(pairs(result) == [[0, 1], [1, 0]])
        #expect(result.unmatchedLabels.isEmpty && result.unmatchedScores.isEmpty)
    }

    @Test func longestCommonEndingDisambiguatesSameNames() {
        // Labels relative to the data set, scan paths absolute; two videos called original.mp4.
        let labels = ["ffpp/original.mp4", "lipsync/original.mp4", "dfdc/abc.mp4"]
        let scores = ["/data/dev/lipsync/original.mp4", "/data/dev/ffpp/original.mp4", "C:\\data\\dfdc\\abc.mp4"]
        let result = PathMatcher.match(labels: labels, scores: scores)
        #expect(pairs(result) == [[0, 1], [1, 0], [2, 2]])
    }

    @Test func labelsMayBeTheLongerSide() {
        let result = PathMatcher.match(labels: ["/mnt/set/fake/1.mp4", "/mnt/set/real/1.mp4"], scores: ["real/1.mp4"])
        #expect(pairs(result) == [[1, 0]])
        #expect(result.unmatchedLabels == [0])
    }

    @Test func tiesAreReportedNotGuessed() {
        // Only the basename is shared, and two scans have it.
        let result = PathMatcher.match(labels: ["x.mp4", "z.mp4"], scores: ["a/x.mp4", "b/x.mp4", "c/w.mp4"])
        #expect(result.pairs.isEmpty)
        #expect(result.ambiguousLabels == [0])
        #expect(result.unmatchedLabels == [0, 1])
        #expect(result.unmatchedScores == [0, 1, 2])
    }

    @Test func aScoreListedTwiceMatchesNeither() {
        let result = PathMatcher.match(labels: ["a/x.mp4"], scores: ["a/x.mp4", "a/x.mp4"])
        #expect(result.pairs.isEmpty)
        #expect(result.ambiguousLabels == [0])
    }

    @Test func foldersThatDisagreeNeverPair() {
        // Only the names agree: another data set's files, not these videos' scans.
        let result = PathMatcher.match(labels: ["ffpp/004.mp4", "ffpp/005.mp4"],
                                       scores: ["/data/dfdc/004.mp4", "/data/celeb/005.mp4"])
        #expect(result.pairs.isEmpty)
        #expect(result.unmatchedLabels == [0, 1] && result.ambiguousLabels.isEmpty)
        // A scan of the right folder beside one of another still pairs.
        let mixed = PathMatcher.match(labels: ["ffpp/004.mp4"], scores: ["/data/dfdc/004.mp4", "/d/ffpp/004.mp4"])
        #expect(pairs(mixed) == [[0, 1]])
    }

    @Test func componentsMustMatchWhole() {
        // "ax.mp4" ends with "x.mp4" as text, not as a path component.
        let result = PathMatcher.match(labels: ["x.mp4"], scores: ["dir/ax.mp4"])
        #expect(result.pairs.isEmpty)
    }
}
