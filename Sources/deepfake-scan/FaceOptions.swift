import ArgumentParser
import FaceAlign

/// How faces are found and cropped: shared by `faces` and (later) `scan`.
struct FaceOptions: ParsableArguments {
    private static let defaults = FaceAlignOptions()

    @Option(help: "Long side (px) of the downscaled copy searched for faces.")
    var detectSize = defaults.detectSize

    @Option(help: "Long side (px) of the second search when the first finds nothing (0 = none).")
    var retrySize = defaults.retrySize ?? 0

    @Option(help: "Search the whole frame at least every N sampled frames; in between only around the previous faces (1 = always whole frames).")
    var searchEvery = defaults.searchEvery

    @Option(help: "Crop margin around the 5-point template box (1.3 = 30 % larger).")
    var margin = defaults.margin

    @Option(help: "Side (px) of the square aligned crops.")
    var cropSize = defaults.cropSize

    @Option(help: "Smallest face kept: shorter box side in frame pixels.")
    var minSize = defaults.minFaceSize

    @Option(help: "Lowest detector confidence kept, 0…1.")
    var scoreFloor = defaults.scoreFloor

    func validate() throws {
        if !(32...4096).contains(detectSize) { throw ValidationError("--detect-size must be 32…4096") }
        if retrySize != 0 && !(detectSize...8192).contains(retrySize) {
            throw ValidationError("--retry-size must be 0 or between --detect-size and 8192")
        }
        if !(1...10_000).contains(searchEvery) { throw ValidationError("--search-every must be 1…10000") }
        if !(margin >= 1 && margin <= 4) { throw ValidationError("--margin must be 1…4") }
        if !(16...2048).contains(cropSize) { throw ValidationError("--crop-size must be 16…2048") }
        if !(minSize >= 0 && minSize.isFinite) { throw ValidationError("--min-size must be 0 or more") }
        if !(scoreFloor >= 0 && scoreFloor <= 1) { throw ValidationError("--score-floor must be 0…1") }
    }

    var alignOptions: FaceAlignOptions {
        FaceAlignOptions(detectSize: detectSize, retrySize: retrySize == 0 ? nil : retrySize,
                         searchEvery: searchEvery, margin: margin, cropSize: cropSize,
                         minFaceSize: minSize, scoreFloor: scoreFloor)
    }
}
