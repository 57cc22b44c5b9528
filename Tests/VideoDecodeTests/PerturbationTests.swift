import Foundation
import Imaging
import Testing
@testable import VideoDecode

/// `eval --perturb`: parsing the list, and the JPEG round trip through FFmpeg's mjpeg codec.
@Suite struct PerturbationTests {
    /// 64×48: smooth colour gradients under a grey checkerboard and fine grey texture (the
    /// same in all channels, so 4:2:0 chroma subsampling alone loses little of it).
    static let picture = RGBImage(width: 64, height: 48, pixels: (0..<(64 * 48 * 3)).map { i in
        let x = (i / 3) % 64, y = (i / 3) / 64, c = i % 3
        let grey = ((x / 8 + y / 8) % 2 == 0 ? 50 : 0) + (x * 31 + y * 17) % 29
        return UInt8(40 + grey + [x * 2, y * 2, (x + y)][c])
    })

    static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        let mse = zip(a.pixels, b.pixels).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) } / Double(a.pixels.count)
        return 10 * log10(255 * 255 / mse)
    }

    @Test func jpegLosesMoreAtLowerQuality() throws {
        let psnrs = try [10, 40, 75, 95].map { Self.psnr(Self.picture, try JPEGRoundTrip(quality: $0).apply(Self.picture)) }
        #expect(psnrs == psnrs.sorted() && Set(psnrs).count == 4, "PSNR by quality 10, 40, 75, 95: \(psnrs)")
        #expect(psnrs[3] > 30 && psnrs[0] < psnrs[3] - 6)
    }

    @Test func jpegKeepsTheSizeAndReusesItsCodecAcrossSizes() throws {
        let jpeg = try JPEGRoundTrip(quality: 50)
        let first = try jpeg.apply(Self.picture)
        #expect(first.width == 64 && first.height == 48)
        let odd = RGBImage(width: 33, height: 21, pixels: [UInt8](repeating: 120, count: 33 * 21 * 3))
        let second = try jpeg.apply(odd)
        #expect(second.width == 33 && second.height == 21)
        #expect(second.pixels.allSatisfy { abs(Int($0) - 120) <= 2 })
        #expect(try jpeg.apply(Self.picture) == first)
    }

    /// The file carries libjpeg's luminance table for the quality (in zigzag order): the AC
    /// quantisers mean what Pillow's `quality=` means.
    @Test func jpegQuantisesWithLibjpegsTableForTheQuality() throws {
        let zigzag = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
                      13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
                      52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]
        for quality in [40, 90] {
            let bytes = try JPEGRoundTrip(quality: quality).encode(Self.picture)
            let marker = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDB })
            // FF DB, 2-byte length, then table 0: one byte precision/id, 64 entries.
            #expect(bytes[marker + 4] == 0)
            let table = Array(bytes[(marker + 5)..<(marker + 69)]).map(UInt16.init)
            let expected = JPEGTables.scaled(JPEGTables.luminance, quality: quality)
            #expect(Array(table.dropFirst()) == Array(zigzag.dropFirst().map { expected[$0] }), "quality \(quality)")
        }
        #expect(JPEGTables.scaled(JPEGTables.luminance, quality: 50) == JPEGTables.luminance)
        #expect(JPEGTables.scaled(JPEGTables.luminance, quality: 100).allSatisfy { $0 == 1 })
        #expect(JPEGTables.scaled(JPEGTables.luminance, quality: 10)[0] == 80)
    }

    @Test func listsParseInOrderAndPrintBack() throws {
        let list = try FramePerturbation.parseList("jpeg:40, blur:1.5,resize:0.5,noise:0.03")
        #expect(list == [.jpeg(quality: 40), .blur(sigma: 1.5), .resize(factor: 0.5), .noise(std: 0.03)])
        #expect(list.specification == "jpeg:40,blur:1.5,resize:0.5,noise:0.03")
        #expect(try FramePerturbation.parseList("noise:0.01,JPEG:90") == [.noise(std: 0.01), .jpeg(quality: 90)])
        #expect(try FramePerturbation.parseList("blur:2").specification == "blur:2")
    }

    @Test(arguments: [
        ("", FramePerturbationError.empty),
        ("jpeg", .malformed("jpeg")),
        ("jpeg:40,", .malformed("")),
        ("sharpen:2", .unknownKind("sharpen")),
        ("blur:1,blur:2", .repeated("blur")),
        ("jpeg:0", .outOfRange("jpeg:0", expected: "a quality 1…100")),
        ("jpeg:40.5", .outOfRange("jpeg:40.5", expected: "a quality 1…100")),
        ("resize:1.5", .outOfRange("resize:1.5", expected: "a factor 0 < f ≤ 1")),
        ("noise:-0.1", .outOfRange("noise:-0.1", expected: "a std 0 < s ≤ 1 (units of the full range)")),
        ("blur:nan", .outOfRange("blur:nan", expected: "a sigma in pixels, 0 < σ ≤ 20")),
    ])
    func badListsAreRejectedWithTheReason(_ text: String, _ error: FramePerturbationError) {
        #expect(throws: error) { try FramePerturbation.parseList(text) }
    }

    @Test func aPerturberAppliesTheListInOrderWithSeededNoise() throws {
        let perturber = try FramePerturber([.blur(sigma: 1), .noise(std: 0.02), .jpeg(quality: 60)])
        let a = try perturber.apply(Self.picture, noiseSeed: 7)
        #expect(try perturber.apply(Self.picture, noiseSeed: 7) == a)
        #expect(try perturber.apply(Self.picture, noiseSeed: 8) != a)
        let byHand = try JPEGRoundTrip(quality: 60).apply(
            Self.picture.gaussianBlurred(sigma: 1).withGaussianNoise(std: 0.02, seed: 7))
        #expect(a == byHand)
        #expect(try FramePerturber([]).apply(Self.picture, noiseSeed: 1) == Self.picture)
    }
}
