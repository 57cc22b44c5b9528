import Foundation

/// A 2-D similarity (uniform scale, rotation, translation, no reflection):
/// x' = a·x − b·y + tx,  y' = b·x + a·y + ty.
public struct SimilarityTransform: Sendable, Equatable {
    public var a: Double
    public var b: Double
    public var tx: Double
    public var ty: Double

    public init(a: Double, b: Double, tx: Double, ty: Double) {
        self.a = a
        self.b = b
        self.tx = tx
        self.ty = ty
    }

    public static let identity = SimilarityTransform(a: 1, b: 0, tx: 0, ty: 0)

    /// Scale `s`, rotation `radians` (counter-clockwise in x-right/y-up terms), then shift.
    public init(scale s: Double, radians: Double, tx: Double, ty: Double) {
        self.init(a: s * cos(radians), b: s * sin(radians), tx: tx, ty: ty)
    }

    public var scale: Double { (a * a + b * b).squareRoot() }

    public func apply(_ p: Point) -> Point {
        Point(x: a * p.x - b * p.y + tx, y: b * p.x + a * p.y + ty)
    }

    /// The transform that undoes this one. Traps on a zero scale (never estimated from
    /// distinct points).
    public var inverse: SimilarityTransform {
        let norm = a * a + b * b
        precondition(norm > 0, "a similarity with zero scale has no inverse")
        let ia = a / norm, ib = -b / norm
        return SimilarityTransform(a: ia, b: ib, tx: -(ia * tx - ib * ty), ty: -(ib * tx + ia * ty))
    }

    /// The least-squares similarity taking `source[i]` to `target[i]` (Umeyama 1991 restricted
    /// to proper rotations). In 2-D, treating points as complex numbers z, the problem
    /// min Σ |c·z_i + t − w_i|² has the closed form c = Σ conj(z̃_i)·w̃_i / Σ |z̃_i|² on
    /// centred points, which is what Umeyama's SVD gives when no reflection is allowed.
    /// Returns nil for fewer than two points or when all source points coincide.
    public static func leastSquares(from source: [Point], to target: [Point]) -> SimilarityTransform? {
        precondition(source.count == target.count, "point lists differ in length")
        let n = Double(source.count)
        guard source.count >= 2 else { return nil }
        let sx = source.reduce(0) { $0 + $1.x } / n, sy = source.reduce(0) { $0 + $1.y } / n
        let tx = target.reduce(0) { $0 + $1.x } / n, ty = target.reduce(0) { $0 + $1.y } / n
        var dot = 0.0, cross = 0.0, spread = 0.0
        for (s, t) in zip(source, target) {
            let px = s.x - sx, py = s.y - sy, qx = t.x - tx, qy = t.y - ty
            dot += px * qx + py * qy
            cross += px * qy - py * qx
            spread += px * px + py * py
        }
        guard spread > 1e-12 else { return nil }
        let a = dot / spread, b = cross / spread
        return SimilarityTransform(a: a, b: b, tx: tx - (a * sx - b * sy), ty: ty - (b * sx + a * sy))
    }
}
