/// RFC 4180 CSV: comma separated, CRLF line ends, fields with a comma, quote, CR or LF
/// quoted with inner quotes doubled. UTF-8 throughout.
public enum CSV {
    /// Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
    static let formulaLeads: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// A text cell that a spreadsheet would run as a formula gets a leading apostrophe.
    /// Plain numbers ("-0.5") are left alone: they are not formulas.
    public static func neutralised(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, formulaLeads.contains(Character(first)) else { return field }
        if Double(field) != nil { return field }
        return "'" + field
    }

    /// One field, quoted when it needs to be.
    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return field }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }

    /// One record with its CRLF line end; every cell neutralised, then quoted.
    public static func line(_ fields: [String]) -> String {
        fields.map { quoted(neutralised($0)) }.joined(separator: ",") + "\r\n"
    }

    /// A whole document: header first (present even without rows).
    public static func document(header: [String], rows: [[String]]) -> String {
        var text = line(header)
        for row in rows { text += line(row) }
        return text
    }

    /// Parses an RFC 4180 document (CRLF or LF line ends) into records of raw cells.
    /// Neutralising apostrophes are kept: the reader returns exactly what was in the cells.
    public static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var quoteOpenedOn = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return scalars.next()
        }
        func endRecord() {
            record.append(field)
            records.append(record)
            record = []
            field = ""
            fieldWasQuoted = false
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    let following = next()
                    if following == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = following }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
                quoteOpenedOn = line
            case ",":
                record.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r":
                let following = next()
                if following != "\n" { pending = following }
                line += 1
                endRecord()
            case "\n":
                line += 1
                endRecord()
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw ReportError.unterminatedQuote(line: quoteOpenedOn) }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }
}

extension String {
    // Works on scalars so a quote followed by a combining mark is still doubled.
    func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == target { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }
}
