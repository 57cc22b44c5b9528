import Foundation
import Testing
import Aggregate
@testable import Reports

@Suite struct CSVTests {
    static let awkwardNames = [
        "plain.mp4", "a,b.mp4", "say \"cheese\".mp4", "two\nlines.mp4", "cr\rlf\r\n.mp4",
        "Ünïcödé 東京 😀.mp4", "trailing space .mp4", "", "\"", ",", "e\u{301}\".mov",
    ]

    @Test func quotesOnlyWhatNeedsQuoting() {
        #expect(CSV.quoted("abc") == "abc")
        #expect(CSV.quoted("a,b") == "\"a,b\"")
        #expect(CSV.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.quoted("x\ny") == "\"x\ny\"")
        #expect(CSV.line(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
    }

    @Test func fieldsRoundTrip() throws {
        let rows = Self.awkwardNames.map { [$0, "x", $0 + $0] }
        let text = CSV.document(header: ["one", "two", "three"], rows: rows)
        let parsed = try CSV.parse(text)
        #expect(parsed.first == ["one", "two", "three"])
        #expect(Array(parsed.dropFirst()) == rows)
    }

    @Test func formulaLikeCellsAreNeutralised() throws {
        for lead in ["=", "+", "-", "@", "\t", "\r"] {
            let cell = lead + "HYPERLINK(\"http://x\")"
            #expect(CSV.neutralised(cell) == "'" + cell)
            let parsed = try CSV.parse(CSV.line([cell, "b"]))
            #expect(parsed == [["'" + cell, "b"]])
        }
        #expect(CSV.neutralised("-0.25") == "-0.25")
        #expect(CSV.neutralised("a=b") == "a=b")
        #expect(CSV.neutralised("") == "")
    }

    @Test func parsesLFFilesAndRejectsAnOpenQuote() throws {
        #expect(try CSV.parse("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try CSV.parse("a,b\r\n1,\r\n") == [["a", "b"], ["1", ""]])
        #expect(try CSV.parse("") == [])
        #expect(throws: ReportError.unterminatedQuote(line: 2)) { try CSV.parse("a\n\"open,\nb") }
    }

    @Test func numbersAreLocaleFreeAndFixed() {
        #expect(NumberText.fixed(0.5, digits: 6) == "0.500000")
        #expect(NumberText.fixed(0.1234565, digits: 6) == "0.123457")
        #expect(NumberText.fixed(1, digits: 3) == "1.000")
        #expect(NumberText.fixed(12.0005, digits: 0) == "12")
        #expect(NumberText.fixed(-0.0001, digits: 2) == "0.00")
        #expect(NumberText.shortest(0.5) == "0.5")
        #expect(NumberText.shortest(1) == "1")
    }
}
