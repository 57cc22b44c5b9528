/// A shell-style pattern for `scan --include/--exclude`, matched against a path relative to
/// the folder being scanned: `*` any run of characters but '/', `?` one character but '/',
/// `[abc]`, `[a-z]`, `[!a]` one character of (or not of) a set, `**` any run including '/'
/// (`**/` also none: `**/x.mp4` matches `x.mp4` at the top too), `\` takes the next character
/// as it is. A pattern without '/' is matched against the file's own name, at any depth.
public struct PathGlob: Sendable, Equatable, Hashable {
    public let pattern: String
    private let scalars: [Unicode.Scalar]

    public init(_ pattern: String) {
        self.pattern = pattern
        scalars = Array(pattern.unicodeScalars)
    }

    /// Whether the pattern matches `relativePath` (no leading '/').
    public func matches(relativePath: String) -> Bool {
        let subject: Substring
        if scalars.contains("/") {
            subject = Substring(relativePath)
        } else {
            subject = relativePath.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(relativePath)
        }
        return Self.match(scalars[...], Array(subject.unicodeScalars)[...])
    }

    private static func match(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        while p < pattern.endIndex {
            switch pattern[p] {
            case "*":
                if p + 1 < pattern.endIndex && pattern[p + 1] == "*" {
                    var rest = p + 2
                    // "**/": zero or more whole folders.
                    if rest < pattern.endIndex && pattern[rest] == "/" {
                        rest += 1
                        if match(pattern[rest...], text[t...]) { return true }
                        var cut = t
                        while cut < text.endIndex {
                            if text[cut] == "/" && match(pattern[rest...], text[(cut + 1)...]) { return true }
                            cut += 1
                        }
                        return false
                    }
                    for cut in t...text.endIndex where match(pattern[rest...], text[cut...]) { return true }
                    return false
                }
                var cut = t
                while true {
                    if match(pattern[(p + 1)...], text[cut...]) { return true }
                    if cut == text.endIndex || text[cut] == "/" { return false }
                    cut += 1
                }
            case "?":
                guard t < text.endIndex, text[t] != "/" else { return false }
                p += 1
                t += 1
            case "[":
                guard t < text.endIndex else { return false }
                if let (matched, next) = matchClass(pattern, from: p, scalar: text[t]) {
                    guard matched, text[t] != "/" else { return false }
                    p = next
                } else {
                    // An unclosed '[' is an ordinary character.
                    guard text[t] == "[" else { return false }
                    p += 1
                }
                t += 1
            case "\\" where p + 1 < pattern.endIndex:
                guard t < text.endIndex, text[t] == pattern[p + 1] else { return false }
                p += 2
                t += 1
            default:
                guard t < text.endIndex, text[t] == pattern[p] else { return false }
                p += 1
                t += 1
            }
        }
        return t == text.endIndex
    }

    /// Whether `scalar` is in the set that opens at `start` ('['), and the index after its ']';
    /// nil when the set never closes.
    private static func matchClass(_ pattern: ArraySlice<Unicode.Scalar>, from start: Int, scalar: Unicode.Scalar)
        -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < pattern.endIndex && (pattern[i] == "!" || pattern[i] == "^") {
            negated = true
            i += 1
        }
        var found = false
        var first = true
        while i < pattern.endIndex {
            if pattern[i] == "]" && !first { return (found != negated, i + 1) }
            first = false
            let low = pattern[i]
            if i + 2 < pattern.endIndex && pattern[i + 1] == "-" && pattern[i + 2] != "]" {
                if low.value <= scalar.value && scalar.value <= pattern[i + 2].value { found = true }
                i += 3
            } else {
                if low == scalar { found = true }
                i += 1
            }
        }
        return nil
    }
}
