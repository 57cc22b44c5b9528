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

    /// 7×5, pixel (x, y) channel c = (37x + 61y + 17c) mod 256: the image the Python
    /// references below were computed on.
    static let small: RGBImage = {
        var pixels: [UInt8] = []
        for y in 0..<5 {
            for x in 0..<7 {
                for c in 0..<3 { pixels.append(UInt8((x * 37 + y * 61 + c * 17) % 256)) }
            }
        }
        return RGBImage(width: 7, height: 5, pixels: pixels)
    }()

    /// Training/pseudofakes/augment.py `blur(image, 1.0)` (scipy.ndimage) on `small`.
    @Test func blurMatchesThePythonAugmentation() {
        let python: [UInt8] = [
            42, 59, 76, 65, 82, 98, 98, 115, 129, 131, 144, 154, 158, 156, 160, 171, 157, 125, 168, 162, 74, 80, 96,
            113, 99, 116, 130, 125, 141, 143, 143, 154, 146, 149, 141, 138, 144, 119, 110, 128, 115, 83, 129, 136,
            152, 132, 144, 156, 133, 149, 141, 129, 142, 119, 118, 120, 112, 113, 105, 112, 110, 109, 115, 161, 129,
            146, 134, 128, 142, 106, 118, 120, 99, 114, 107, 104, 118, 120, 120, 131, 145, 135, 148, 164, 170, 82,
            99, 119, 88, 104, 84, 91, 105, 90, 106, 117, 116, 132, 146, 146, 163, 179, 169, 185, 202,
        ]
        let ours = Self.small.gaussianBlurred(sigma: 1).pixels
        #expect(zip(ours, python).allSatisfy { abs(Int($0) - Int($1)) <= 1 }, "\(ours)")
    }

    /// augment.py `resize_down_up(image, 0.5)` (Pillow, fixed-point) on `small`: within one level.
    @Test func resizeMatchesThePythonAugmentation() {
        let python: [UInt8] = [
            79, 96, 113, 97, 114, 125, 125, 142, 144, 141, 148, 148, 152, 146, 145, 144, 125, 109, 139, 111, 86, 87,
            100, 117, 101, 115, 126, 122, 139, 141, 137, 145, 145, 147, 143, 142, 142, 126, 113, 139, 115, 94, 119,
            115, 132, 116, 120, 131, 112, 128, 130, 120, 131, 131, 128, 132, 132, 134, 131, 128, 138, 130, 126, 150,
            129, 146, 131, 124, 135, 102, 116, 118, 102, 117, 117, 108, 120, 122, 125, 135, 143, 136, 144, 157, 158,
            133, 150, 135, 125, 136, 99, 113, 115, 98, 114, 114, 103, 117, 119, 123, 136, 147, 136, 148, 165,
        ]
        let ours = Self.small.resizedDownAndUp(factor: 0.5).pixels
        #expect(zip(ours, python).allSatisfy { abs(Int($0) - Int($1)) <= 1 }, "\(ours)")
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
