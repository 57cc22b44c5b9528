import Foundation
import Testing
@testable import Imaging

/// Blur, resize down-and-up and noise: the pixel-level `eval --perturb` degradations.
@Suite struct DegradationTests {
    /// A 40×30 picture with edges and texture in every channel.
    static let textured = RGBImage(width: 40, height: 30, pixels: (0..<(40 * 30 * 3)).map { i in
        let x = (i / 3) % 40, y = (i / 3) / 40, c = i % 3
        return UInt8((x * 6 + y * 3 + c * 40 + ((x / 5 + y / 5) % 2) * 90 + (x * y * 7 + c) % 23) % 256)
    })

    static func constant(_ value: UInt8, width: Int = 23, height: Int = 17) -> RGBImage {
        RGBImage(width: width, height: height, pixels: [UInt8](repeating: value, count: width * height * 3))
    }

    static func meanAbsoluteChange(_ a: RGBImage, _ b: RGBImage) -> Double {
        zip(a.pixels, b.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.pixels.count)
    }

    @Test func blurOfAConstantImageIsTheImage() {
        for sigma in [0.4, 1.5, 6.0] {
            #expect(Self.constant(137).gaussianBlurred(sigma: sigma) == Self.constant(137))
        }
    }

    @Test func blurKernelMatchesScipysRadiusAndSumsToOne() {
        // scipy.ndimage.gaussian_filter1d(truncate=4): radius int(4σ + 0.5).
        #expect(RGBImage.gaussianKernel(sigma: 1.5).count == 13)
        #expect(RGBImage.gaussianKernel(sigma: 0.1).count == 1)
        #expect(abs(RGBImage.gaussianKernel(sigma: 2).reduce(0, +) - 1) < 1e-6)
        // 'reflect' borders: d c b a | a b c d | d c b a.
        #expect((-3...6).map { RGBImage.mirrored($0, count: 4) } == [2, 1, 0, 0, 1, 2, 3, 3, 2, 1])
    }

    @Test func blurSmoothsMoreWithALargerSigmaAndKeepsTheMean() {
        let image = Self.textured
        let light = image.gaussianBlurred(sigma: 0.7), strong = image.gaussianBlurred(sigma: 2.5)
        #expect(Self.meanAbsoluteChange(image, light) > 1)
        #expect(Self.meanAbsoluteChange(image, strong) > Self.meanAbsoluteChange(image, light))
        let mean = { (i: RGBImage) in Double(i.pixels.reduce(0) { $0 + Int($1) }) / Double(i.pixels.count) }
        #expect(abs(mean(strong) - mean(image)) < 1.5)
    }

    @Test func resizeDownAndUpKeepsTheSizeAndLosesDetail() {
        let image = Self.textured
        let half = image.resizedDownAndUp(factor: 0.5), quarter = image.resizedDownAndUp(factor: 0.25)
        #expect(half.width == 40 && half.height == 30 && quarter.width == 40 && quarter.height == 30)
        #expect(image.resizedDownAndUp(factor: 1) == image)
        #expect(Self.meanAbsoluteChange(image, quarter) > Self.meanAbsoluteChange(image, half))
        #expect(Self.constant(90).resizedDownAndUp(factor: 0.37) == Self.constant(90))
    }

    @Test func shrinkingByTwoAveragesPairsLikePillow() {
        // Pillow's BILINEAR at scale 2 has support 2: weights ¼ ¾ ¾ ¼ (then normalised)
        // over the four nearest pixels, so a 1-pixel stripe pattern becomes flat grey.
        let stripes = RGBImage(width: 8, height: 1, pixels: (0..<24).map { ($0 / 3) % 2 == 0 ? 0 : 200 })
        let small = stripes.resampled(width: 4, height: 1)
        #expect(small.pixels[3...8].allSatisfy { $0 == 100 })
    }

    @Test func noiseHasTheRequestedSpreadAndRepeatsForASeed() {
        let grey = Self.constant(128, width: 100, height: 100)
        let noisy = grey.withGaussianNoise(std: 0.03, seed: 42)
        let deltas = noisy.pixels.map { Double($0) - 128 }
        let mean = deltas.reduce(0, +) / Double(deltas.count)
        let std = (deltas.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(deltas.count)).squareRoot()
        #expect(abs(mean) < 0.2)
        #expect(abs(std - 0.03 * 255) < 0.25, "std \(std), expected 7.65")
        #expect(grey.withGaussianNoise(std: 0.03, seed: 42) == noisy)
        #expect(grey.withGaussianNoise(std: 0.03, seed: 43) != noisy)
    }

    @Test func seedsDependOnNameAndIndexOnly() {
        #expect(SplitMix64.seed(name: "/v/a.mp4", index: 3) == SplitMix64.seed(name: "/v/a.mp4", index: 3))
        #expect(SplitMix64.seed(name: "/v/a.mp4", index: 3) != SplitMix64.seed(name: "/v/a.mp4", index: 4))
        #expect(SplitMix64.seed(name: "/v/a.mp4", index: 3) != SplitMix64.seed(name: "/v/b.mp4", index: 3))
        // Fixed definition (FNV-1a + SplitMix64): the same on every machine and run.
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    }
}
