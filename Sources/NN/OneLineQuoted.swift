/// `text` from a file (a tensor name, a model card value), quoted for a one-line message:
/// control, format and separator characters escaped, at most `limit` characters kept.
public func oneLineQuoted(_ text: String, limit: Int = 80) -> String {
    var escaped = ""
    for scalar in text.unicodeScalars.prefix(limit) {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
            escaped += scalar.escaped(asASCII: true)
        default:
            escaped += scalar == "\"" || scalar == "\\" ? scalar.escaped(asASCII: true) : String(scalar)
        }
    }
    return "\"\(escaped)\(text.unicodeScalars.count > limit ? "…" : "")\""
}
