/// Locale-independent number formatting so reports are byte-identical across machines.
enum NumberText {
    /// `value` with exactly `digits` decimals, rounded half away from zero.
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return String(value) }
        let whole = Int64(scaled)
        let divisor = Int64(scale)
        var text = String(whole / divisor)
        if digits > 0 {
            let fraction = String(whole % divisor)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return (value < 0 && whole != 0 ? "-" : "") + text
    }

    /// The shortest text that reads back as the same Double ("0.5", "0.62").
    static func shortest(_ value: Double) -> String {
        let text = String(value)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
