import Foundation
import Imaging

/// A degradation applied to every decoded frame before faces are looked for (FakeSpotter's
/// robustness protocol), with the meaning the Python training augmentations give it
/// (Training/pseudofakes/augment.py).
public enum FramePerturbation: Sendable, Equatable, CustomStringConvertible {
    /// JPEG encode and decode at this quality (1–100, libjpeg/Pillow scale).
    case jpeg(quality: Int)
    /// Gaussian blur with this standard deviation in pixels.
    case blur(sigma: Double)
    /// Shrink by this factor (0 < f ≤ 1) and enlarge back, bilinear.
    case resize(factor: Double)
    /// Gaussian noise with this standard deviation in units of the full range (0.03 = 7.65/255).
    case noise(std: Double)

    public var description: String {
        switch self {
        case let .jpeg(quality): return "jpeg:\(quality)"
        case let .blur(sigma): return "blur:\(Self.text(sigma))"
        case let .resize(factor): return "resize:\(Self.text(factor))"
        case let .noise(std): return "noise:\(Self.text(std))"
        }
    }

    /// Parses `jpeg:40,blur:1.5,resize:0.5,noise:0.03`: any of the four, each at most once,
    /// applied in the order written.
    public static func parseList(_ text: String) throws(FramePerturbationError) -> [FramePerturbation] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw .empty }
        var seen: Set<String> = []
        var list: [FramePerturbation] = []
        for item in items {
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw .malformed(item) }
            let kind = parts[0].lowercased()
            guard seen.insert(kind).inserted else { throw .repeated(kind) }
            list.append(try parse(kind: kind, value: parts[1], item: item))
        }
        return list
    }

    private static func parse(kind: String, value: String, item: String) throws(FramePerturbationError) -> FramePerturbation {
        func number(_ range: String, _ valid: (Double) -> Bool) throws(FramePerturbationError) -> Double {
            guard let number = Double(value), number.isFinite, valid(number) else { throw .outOfRange(item, expected: range) }
            return number
        }
        switch kind {
        case "jpeg":
            guard let quality = Int(value), (1...100).contains(quality) else {
                throw .outOfRange(item, expected: "a quality 1…100")
            }
            return .jpeg(quality: quality)
        case "blur": return .blur(sigma: try number("a sigma in pixels, 0 < σ ≤ 20") { $0 > 0 && $0 <= 20 })
        case "resize": return .resize(factor: try number("a factor 0 < f ≤ 1") { $0 > 0 && $0 <= 1 })
        case "noise": return .noise(std: try number("a std 0 < s ≤ 1 (units of the full range)") { $0 > 0 && $0 <= 1 })
        default: throw .unknownKind(kind)
        }
    }

    /// `1.5`, not `1.5000`; integers without a fraction.
    private static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension Array where Element == FramePerturbation {
    /// The list as `--perturb` writes it.
    public var specification: String { map(\.description).joined(separator: ",") }
}

public enum FramePerturbationError: Error, Equatable, CustomStringConvertible {
    case empty
    case malformed(String)
    case unknownKind(String)
    case repeated(String)
    case outOfRange(String, expected: String)

    public var description: String {
        let form = "write KIND:VALUE[,KIND:VALUE…] with KIND jpeg, blur, resize or noise"
        switch self {
        case .empty: return "no perturbation given: \(form)"
        case let .malformed(item): return "'\(item)' is not KIND:VALUE: \(form)"
        case let .unknownKind(kind): return "unknown perturbation '\(kind)': \(form)"
        case let .repeated(kind): return "perturbation '\(kind)' given twice"
        case let .outOfRange(item, expected): return "'\(item)': expected \(expected)"
        }
    }
}

/// Applies a list of perturbations to frame after frame. Owns the JPEG codec (C state), so
/// it is not Sendable: make one per video.
public final class FramePerturber {
    public let perturbations: [FramePerturbation]
    private var jpeg: JPEGRoundTrip?

    public init(_ perturbations: [FramePerturbation]) throws(VideoDecodeError) {
        self.perturbations = perturbations
        for case let .jpeg(quality) in perturbations { jpeg = try JPEGRoundTrip(quality: quality) }
    }

    /// `image` degraded by each perturbation in turn; `noiseSeed` fixes the noise (derive it
    /// from the video and frame, `SplitMix64.seed(name:index:)`, so runs repeat exactly).
    public func apply(_ image: RGBImage, noiseSeed: UInt64) throws(VideoDecodeError) -> RGBImage {
        var out = image
        for perturbation in perturbations {
            switch perturbation {
            case .jpeg: out = try jpeg!.apply(out)
            case let .blur(sigma): out = out.gaussianBlurred(sigma: sigma)
            case let .resize(factor): out = out.resizedDownAndUp(factor: factor)
            case let .noise(std): out = out.withGaussianNoise(std: std, seed: noiseSeed)
            }
        }
        return out
    }
}
